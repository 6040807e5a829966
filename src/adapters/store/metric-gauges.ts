import type { Queryable } from './database.ts';

/** What the database-wide gauges of /metrics read: jobs by kind and state, the oldest due job's wait by kind, dunning cases by state. */
export interface MetricGauges {
  jobs: { kind: string; state: string; count: number }[];
  dueJobAges: { kind: string; seconds: number }[];
  dunningCases: { state: string; count: number }[];
}

export async function readMetricGauges(db: Queryable, now: number): Promise<MetricGauges> {
  const [jobs, ages, cases] = await Promise.all([
    db.query<{ kind: string; state: string; count: number }>(
      `select kind, state, count(*)::int as count from jobs group by kind, state`,
    ),
    db.query<{ kind: string; seconds: number }>(
      `select kind, greatest(0, ($1::float8 / 1000.0) - extract(epoch from min(run_at)))::float8 as seconds from jobs where state = 'pending' and run_at <= to_timestamp($1::float8 / 1000.0) group by kind`,
      [now],
    ),
    db.query<{ state: string; count: number }>(
      `select state, count(*)::int as count from dunning_cases group by state`,
    ),
  ]);
  return { jobs: jobs.rows, dueJobAges: ages.rows, dunningCases: cases.rows };
}
