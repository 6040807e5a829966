import type { Queryable } from './database.ts';
import { SqlParams } from './sql-params.ts';

/** How the jobs of one kind fared: how many gave up, and the latest error of a failed attempt. */
export async function jobKindHealth(db: Queryable, kind: string): Promise<{ dead: number; lastError: string | null }> {
  const result = await db.query<{ dead: number; lastError: string | null }>(
    `select count(*) filter (where state = 'dead')::int as dead,
            (array_agg(last_error order by updated_at desc) filter (where last_error is not null and (state = 'dead' or attempts > 0)))[1] as "lastError"
       from jobs where kind = $1`,
    [kind],
  );
  return result.rows[0]!;
}

/** A job about one contact that has not finished: waiting, running, or given up (dead). */
export interface ContactJob {
  id: number;
  kind: string;
  state: 'pending' | 'running' | 'dead';
  attempts: number;
  lastError: string | null;
  updatedAt: number;
}

/**
 * The unfinished jobs of the given kinds for one key (a contact id): pending ones through
 * jobs_one_pending_per_key (the table holds every timer), running and dead ones, which are few, apart.
 */
export async function listUnfinishedJobs(db: Queryable, kinds: readonly string[], key: string): Promise<ContactJob[]> {
  const result = await db.query<ContactJob>(
    `select id, kind, state, attempts, last_error as "lastError", (extract(epoch from updated_at) * 1000)::float8 as "updatedAt"
       from jobs where kind = any($1::text[]) and key = $2 and state = 'pending'
     union all
     select id, kind, state, attempts, last_error, (extract(epoch from updated_at) * 1000)::float8
       from jobs where kind = any($1::text[]) and key = $2 and state in ('running', 'dead')
      order by id`,
    [kinds, key],
  );
  return result.rows;
}

/** Whether a job of this kind and key is still to run or running. */
export async function hasUnfinishedJob(db: Queryable, kind: string, key: string): Promise<boolean> {
  const params = new SqlParams();
  const result = await db.query(
    `select 1 from jobs where kind = ${params.add(kind)} and key = ${params.add(key)} and state in ('pending', 'running') limit 1`,
    params.values,
  );
  return result.rowCount !== 0;
}

/** Whether a pending or running job of `kind` has a payload holding `part` (jsonb containment: `[5]` is held by `[3, 5]`). */
export async function hasUnfinishedJobWhosePayloadHolds(
  db: Queryable,
  kind: string,
  part: Record<string, unknown>,
): Promise<boolean> {
  const params = new SqlParams();
  const result = await db.query(
    `select 1 from jobs where kind = ${params.add(kind)} and state in ('pending', 'running')
        and payload @> ${params.add(JSON.stringify(part))}::jsonb limit 1`,
    params.values,
  );
  return result.rowCount !== 0;
}
