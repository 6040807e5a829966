/** Reconciles with ThriveCart's API and what they found (migration 016). */
import type { Pool, Queryable } from './database.ts';

export interface ReconcileRun<Finding = unknown> {
  id: number;
  startedAt: number;
  finishedAt: number | null;
  fix: boolean;
  findings: Finding[] | null;
  /** Why it stopped, when it did not finish. */
  error: string | null;
}

export async function startReconcileRun(
  db: Queryable,
  window: { since: number | null; until: number | null },
  fix: boolean,
  now: number,
): Promise<number> {
  const result = await db.query<{ id: number }>(
    `insert into thrivecart_reconciles (started_at, window_since, window_until, fix)
     values (to_timestamp($1 / 1000.0), to_timestamp($2 / 1000.0), to_timestamp($3 / 1000.0), $4) returning id::int`,
    [now, window.since, window.until, fix],
  );
  return result.rows[0]!.id;
}

export async function finishReconcileRun(
  db: Queryable,
  id: number,
  outcome: { findings: unknown[] } | { error: string },
  now: number,
): Promise<void> {
  await db.query(
    `update thrivecart_reconciles set finished_at = to_timestamp($2 / 1000.0), findings = $3, error = $4 where id = $1`,
    [
      id,
      now,
      'findings' in outcome ? JSON.stringify(outcome.findings) : null,
      'error' in outcome ? outcome.error : null,
    ],
  );
}

/** The latest finished reconcile, or null before the first. */
export async function latestReconcileRun<Finding>(db: Queryable): Promise<ReconcileRun<Finding> | null> {
  const result = await db.query<ReconcileRun<Finding>>(
    `select id::int, (extract(epoch from started_at) * 1000)::float8 as "startedAt", (extract(epoch from finished_at) * 1000)::float8 as "finishedAt",
            fix, findings, error
       from thrivecart_reconciles where finished_at is not null order by finished_at desc, id desc limit 1`,
  );
  return result.rows[0] ?? null;
}

/** Any constant works; it only has to be the same in every Handoff process. */
const THRIVECART_WALK_LOCK = 7_240_312;

/**
 * Runs `work` (a reconcile or an import started from the console) while holding the
 * database-wide lock of walks through ThriveCart's history, or answers null at once when another
 * process holds it: they share the API's budget, and a job that outlives its lease must not run
 * twice at once. The lock belongs to a connection: a process that dies lets it go.
 */
export async function oneThriveCartWalkAtATime<T>(pool: Pool, work: () => Promise<T>): Promise<T | null> {
  const client = await pool.connect();
  try {
    const taken = await client.query<{ taken: boolean }>('select pg_try_advisory_lock($1) as taken', [
      THRIVECART_WALK_LOCK,
    ]);
    if (!taken.rows[0]!.taken) return null;
    try {
      return await work();
    } finally {
      await client.query('select pg_advisory_unlock($1)', [THRIVECART_WALK_LOCK]);
    }
  } finally {
    client.release();
  }
}
