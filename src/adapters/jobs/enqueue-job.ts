import type { Queryable } from '../store/database.ts';

/**
 * A durable job or timer. Jobs carry ids, never personal data: the handler re-reads the current
 * state when it runs, so several requests for the same (kind, key) coalesce into one run.
 */
export interface JobRequest {
  kind: string;
  /** Coalescing key, e.g. the contact id. */
  key: string;
  /** Epoch milliseconds; the job is due from then on. */
  runAt: number;
  payload?: Record<string, unknown>;
}

/**
 * Enqueues inside the caller's transaction, so the job exists exactly when the change that
 * decided it was committed. A pending job with the same kind and key keeps the earlier run time.
 */
export async function enqueueJob(db: Queryable, job: JobRequest): Promise<void> {
  await db.query(
    `insert into jobs (kind, key, payload, run_at) values ($1, $2, $3, to_timestamp($4 / 1000.0))
     on conflict (kind, key) where state = 'pending'
     do update set run_at = least(jobs.run_at, excluded.run_at), payload = excluded.payload, updated_at = now()`,
    [job.kind, job.key, JSON.stringify(job.payload ?? {}), job.runAt],
  );
}
