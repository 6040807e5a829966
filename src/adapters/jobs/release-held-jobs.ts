import type { Queryable } from '../store/database.ts';

/**
 * Makes every pending job of a kind due now and lifts the kind's hold (see RetryLater.holdsKind):
 * the cause of the wait is gone (a CRM's credentials were fixed), so nothing should wait it out.
 */
export async function releaseHeldJobs(db: Queryable, kind: string, now: number): Promise<void> {
  await db.query(
    `with lifted as (delete from job_kind_holds where kind = $1)
     update jobs set run_at = to_timestamp($2 / 1000.0), updated_at = now() where kind = $1 and state = 'pending' and run_at > to_timestamp($2 / 1000.0)`,
    [kind, now],
  );
}
