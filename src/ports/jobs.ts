/**
 * The job contract between the application and the job runner: what a use-case enqueues
 * (JobRequest), what a handler receives (ClaimedJob) and what it may answer (return, RetryLater,
 * or throw PermanentJobError). The table-backed implementation is adapters/jobs: enqueue-job.ts
 * writes requests inside the caller's transaction, job-worker.ts claims and runs them. Handlers
 * are written against this contract, never against the worker.
 */

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

export interface ClaimedJob {
  id: number;
  kind: string;
  key: string;
  payload: Record<string, unknown>;
  /** 1 on the first run. */
  attempt: number;
}

/**
 * What a handler may ask for instead of completing: run again later. `spendAttempt: false` is
 * for waiting that is not the job's fault (a rate limit, a paused connector), so a long outage
 * does not exhaust the attempts.
 */
export interface RetryLater {
  retryAfterMs: number;
  spendAttempt: boolean;
  reason: string;
  /**
   * The wait belongs to every job of this kind, not to this one (a spent rate budget, a 429, a
   * paused connector): no worker claims a job of the kind until the wait ends, and the job keeps
   * its place in line. Without this, a backlog (a launch's thousands of CRM syncs behind a
   * 5 requests/s budget) would be claimed and put back over and over, busying the database, and
   * the oldest buyers would wait behind the newest.
   */
  holdsKind?: boolean;
}

export type JobHandler = (job: ClaimedJob) => Promise<RetryLater | void>;

/** Thrown by a handler when retrying cannot help (e.g. a CRM answered 422): the job goes dead at once. */
export class PermanentJobError extends Error {
  override readonly name = 'PermanentJobError';
}
