import type { JobRequest } from '../../ports/jobs.ts';
import type { Queryable } from '../store/database.ts';

/**
 * Enqueues inside the caller's transaction, so the job exists exactly when the change that
 * decided it was committed. A pending job with the same kind and key keeps the earlier run time.
 */
export async function enqueueJob(db: Queryable, job: JobRequest): Promise<void> {
  await enqueueJobs(db, [job]);
}

/** Several jobs in one round trip; requests for the same (kind, key) are merged first, earliest run time kept. */
export async function enqueueJobs(db: Queryable, jobs: readonly JobRequest[]): Promise<void> {
  const merged = new Map<string, JobRequest>();
  for (const job of jobs) {
    const id = `${job.kind}\u0000${job.key}`;
    const earlier = merged.get(id);
    merged.set(id, earlier && earlier.runAt <= job.runAt ? { ...earlier, payload: job.payload } : job);
  }
  if (merged.size === 0) return;
  const requests = [...merged.values()];
  await db.query({
    name: 'enqueue-jobs',
    text: `insert into jobs (kind, key, payload, run_at)
           select job.kind, job.key, job.payload, to_timestamp(job.run_at / 1000.0) from unnest($1::text[], $2::text[], $3::jsonb[], $4::float8[]) as job(kind, key, payload, run_at)
           on conflict (kind, key) where state = 'pending'
           do update set run_at = least(jobs.run_at, excluded.run_at), payload = excluded.payload, updated_at = now()`,
    values: [
      requests.map((job) => job.kind),
      requests.map((job) => job.key),
      requests.map((job) => JSON.stringify(job.payload ?? {})),
      requests.map((job) => job.runAt),
    ],
  });
}
