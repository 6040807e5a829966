import type { Queryable } from '../store/database.ts';

/** Moves the pending jobs of `kind` with these keys to `runAt` at the earliest; running ones are left alone. */
export async function postponePendingJobs(
  db: Queryable,
  kind: string,
  keys: readonly string[],
  runAt: number,
): Promise<void> {
  await db.query(
    `update jobs set run_at = greatest(run_at, to_timestamp($3 / 1000.0)), updated_at = now()
      where kind = $1 and state = 'pending' and key = any($2::text[])`,
    [kind, keys, runAt],
  );
}
