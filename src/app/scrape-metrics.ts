import { dunningCases, jobQueueAge, jobQueueDepth, metricsRegistry } from '../adapters/metrics/metrics.ts';
import type { AppContext } from './context.ts';

/** Reads the database-wide gauges and renders every metric in Prometheus' text format. */
export async function scrapeMetrics(ctx: AppContext): Promise<{ contentType: string; body: string }> {
  const now = ctx.clock.now();
  const [jobs, ages, cases] = await Promise.all([
    ctx.pool.query<{ kind: string; state: string; count: number }>(
      `select kind, state, count(*)::int as count from jobs group by kind, state`,
    ),
    ctx.pool.query<{ kind: string; seconds: number }>(
      `select kind, greatest(0, ($1::float8 / 1000.0) - extract(epoch from min(run_at)))::float8 as seconds from jobs where state = 'pending' and run_at <= to_timestamp($1::float8 / 1000.0) group by kind`,
      [now],
    ),
    ctx.pool.query<{ state: string; count: number }>(
      `select state, count(*)::int as count from dunning_cases group by state`,
    ),
  ]);
  jobQueueDepth.reset();
  for (const row of jobs.rows) jobQueueDepth.set({ kind: row.kind, state: row.state }, row.count);
  jobQueueAge.reset();
  for (const row of ages.rows) jobQueueAge.set({ kind: row.kind }, row.seconds);
  dunningCases.reset();
  for (const row of cases.rows) dunningCases.set({ state: row.state }, row.count);
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
