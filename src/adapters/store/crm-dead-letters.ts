/**
 * The dead-letter list: jobs the worker gave up on (state 'dead', with the cause in last_error).
 * CRM sync and AccessAlly notifications are the jobs that end here in practice, but every kind
 * is listed, so nothing stuck stays invisible.
 */
import { withTransaction, type Pool, type Queryable } from './database.ts';

export interface DeadJob {
  id: number;
  kind: string;
  key: string;
  attempts: number;
  lastError: string | null;
  diedAt: number;
}

export async function listDeadJobs(db: Queryable, limit = 500): Promise<DeadJob[]> {
  const result = await db.query<{
    id: number;
    kind: string;
    key: string;
    attempts: number;
    last_error: string | null;
    died_at: number;
  }>(
    `select id, kind, key, attempts, last_error, (extract(epoch from updated_at) * 1000)::float8 as died_at
       from jobs where state = 'dead' order by updated_at desc, id desc limit $1`,
    [limit],
  );
  return result.rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    key: row.key,
    attempts: row.attempts,
    lastError: row.last_error,
    diedAt: row.died_at,
  }));
}

/**
 * Moves dead jobs (one by id, or all) back to pending with fresh attempts, due now. A dead job
 * whose (kind, key) already has a pending job, or a newer dead one, is dropped instead: jobs
 * re-read the current state, so the other one does the same work. Returns the ids made pending.
 */
export async function retryDeadJobs(pool: Pool, which: number | 'all', now: number): Promise<number[]> {
  const chosen = which === 'all' ? '' : 'and dead.id = $1';
  const chosenParams = which === 'all' ? [] : [which];
  // Only a bulk retry can meet two dead twins; a single retry moves the job it was asked to.
  const newerDeadTwin = which === 'all' ? `or (other.state = 'dead' and other.id > dead.id)` : '';
  return withTransaction(pool, async (client) => {
    await client.query(
      `delete from jobs dead where dead.state = 'dead' ${chosen}
          and exists (select 1 from jobs other where other.kind = dead.kind and other.key = dead.key
                        and (other.state = 'pending' ${newerDeadTwin}))`,
      chosenParams,
    );
    const moved = await client.query<{ id: number }>(
      `update jobs dead set state = 'pending', attempts = 0, run_at = to_timestamp($${chosenParams.length + 1} / 1000.0),
         locked_until = null, updated_at = now()
        where dead.state = 'dead' ${chosen}
        returning dead.id`,
      [...chosenParams, now],
    );
    return moved.rows.map((row) => row.id);
  });
}
