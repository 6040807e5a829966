import type { Queryable } from '../store/database.ts';

/** Removes a job that has not started; one already running (or done) is left to finish. */
export async function dropPendingJob(db: Queryable, kind: string, key: string): Promise<void> {
  await db.query(`delete from jobs where kind = $1 and key = $2 and state = 'pending'`, [kind, key]);
}
