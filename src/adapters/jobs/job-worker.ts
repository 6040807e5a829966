import { DatabaseError } from 'pg';
import type { Logger } from 'pino';
import type { Clock } from '../../ports/clock.ts';
import { PermanentJobError, type ClaimedJob, type JobHandler } from '../../ports/jobs.ts';
import type { Pool } from '../store/database.ts';

export interface JobWorkerOptions {
  /** Jobs claimed per round trip. */
  batchSize?: number;
  /** How long a claimed job is ours; after that a crashed worker's job runs again. */
  leaseMs?: number;
  /** Attempts before a failing job is dead-lettered. */
  maxAttempts?: number;
  /** Polling period when running in the background. */
  pollMs?: number;
  /** First retry delay; doubles per attempt with full jitter, capped at `maxBackoffMs`. */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

/**
 * Runs due jobs from the `jobs` table. Claims use SKIP LOCKED, so any number of Handoff processes
 * can run workers on one database; a key with a running job is not claimed again until that run
 * ends, so one contact's jobs never race each other. Time comes from the injected clock, which
 * lets tests move a fake clock through weeks of timers in milliseconds.
 */
export class JobWorker {
  private readonly options: Required<JobWorkerOptions>;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> = Promise.resolve();
  private stopped = true;
  /** Set by stop(): a round in progress ends after its current batch instead of draining a backlog. */
  private stopping = false;
  /** Kinds that have had to wait for their kind (a CRM's shared budget): see runBatch. */
  private readonly kindsThatWait = new Set<string>();

  constructor(
    private readonly pool: Pool,
    private readonly clock: Clock,
    private readonly handlers: Readonly<Record<string, JobHandler>>,
    private readonly log: Logger,
    options: JobWorkerOptions = {},
  ) {
    this.options = {
      batchSize: options.batchSize ?? 20,
      leaseMs: options.leaseMs ?? 120_000,
      maxAttempts: options.maxAttempts ?? 25,
      pollMs: options.pollMs ?? 500,
      baseBackoffMs: options.baseBackoffMs ?? 5_000,
      maxBackoffMs: options.maxBackoffMs ?? 3_600_000,
    };
  }

  /** Runs every job due now (and any that become due while doing so); resolves with how many ran. */
  async runDue(): Promise<number> {
    let total = 0;
    while (!this.stopping) {
      await this.releaseExpiredLeases();
      const jobs = await this.claim();
      if (jobs.length === 0) return total;
      await this.runBatch(jobs);
      total += jobs.length;
    }
    return total;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.stopping = false;
    const tick = (): void => {
      if (this.stopped) return;
      this.running = this.runDue()
        .catch((error: unknown) => this.log.error({ err: error }, 'job worker round failed'))
        .finally(() => {
          if (!this.stopped) this.timer = setTimeout(tick, this.options.pollMs);
        });
    };
    tick();
  }

  /** Stops polling and waits for the jobs in flight to finish. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /**
   * Claims the next due jobs, oldest first across kinds, skipping held kinds. Each kind is read
   * from its own end of the jobs_due index (migration 010), so a held backlog of one kind costs
   * nothing to skip. The few rows of a kind locked but not kept are released when the statement
   * ends; a worker claiming at that instant passes them over until its next round.
   */
  private async claim(): Promise<ClaimedJob[]> {
    const now = this.clock.now();
    const result = await this.pool.query<{
      id: number;
      kind: string;
      key: string;
      payload: Record<string, unknown>;
      attempts: number;
      run_at: number;
    }>(
      `with due as (
         select candidate.id
           from (select unnest($2::text[]) as kind except select kind from job_kind_holds where until > to_timestamp($1 / 1000.0)) as claimable
          cross join lateral (
            select id, run_at from jobs candidate
             where candidate.state = 'pending' and candidate.kind = claimable.kind and candidate.run_at <= to_timestamp($1 / 1000.0)
               and not exists (select 1 from jobs busy where busy.kind = candidate.kind and busy.key = candidate.key and busy.state = 'running')
             order by candidate.run_at, candidate.id
             limit $3
             for update skip locked) as candidate
          order by candidate.run_at, candidate.id
          limit $3)
       update jobs set state = 'running', attempts = attempts + 1, locked_until = to_timestamp(($1 + $4) / 1000.0), updated_at = now()
         from due where jobs.id = due.id
       returning jobs.id, jobs.kind, jobs.key, jobs.payload, jobs.attempts, (extract(epoch from jobs.run_at) * 1000)::float8 as run_at`,
      [now, Object.keys(this.handlers), this.options.batchSize, this.options.leaseMs],
    );
    // RETURNING follows no order; the batch runs in line order.
    return result.rows
      .sort((a, b) => a.run_at - b.run_at || a.id - b.id)
      .map((row) => ({ id: row.id, kind: row.kind, key: row.key, payload: row.payload, attempt: row.attempts }));
  }

  /**
   * Runs a claimed batch. Jobs of a kind that has had to wait for its kind (a CRM's shared rate
   * budget) run one at a time, in line order: run together they would only race each other for
   * the budget, and the winners would be random rather than the oldest. Once one of them holds the
   * kind, the rest are put back without running, keeping their place. Other jobs run in parallel.
   */
  private async runBatch(jobs: readonly ClaimedJob[]): Promise<void> {
    const inLine = new Map<string, ClaimedJob[]>();
    const running: Promise<unknown>[] = [];
    for (const job of jobs) {
      if (!this.kindsThatWait.has(job.kind)) running.push(this.run(job));
      else if (inLine.has(job.kind)) inLine.get(job.kind)!.push(job);
      else inLine.set(job.kind, [job]);
    }
    for (const line of inLine.values()) running.push(this.runInLine(line));
    await Promise.all(running);
  }

  private async runInLine(line: readonly ClaimedJob[]): Promise<void> {
    for (const [index, job] of line.entries()) {
      const heldFor = await this.run(job);
      if (heldFor !== null) {
        await Promise.all(line.slice(index + 1).map((waiting) => this.reschedule(waiting, null, false, heldFor)));
        return;
      }
    }
  }

  /** Runs one job; returns the reason when it held its kind, else null. */
  private async run(job: ClaimedJob): Promise<string | null> {
    const handler = this.handlers[job.kind];
    if (!handler) return null;
    try {
      const outcome = await handler(job);
      if (outcome?.holdsKind) {
        // The kind waits, not the job: it keeps its place in line, so a backlog drains oldest first.
        this.kindsThatWait.add(job.kind);
        await this.holdKind(job.kind, outcome.retryAfterMs);
        await this.reschedule(job, null, outcome.spendAttempt, outcome.reason);
        return outcome.reason;
      }
      if (outcome) await this.reschedule(job, outcome.retryAfterMs, outcome.spendAttempt, outcome.reason);
      else await this.pool.query(`delete from jobs where id = $1`, [job.id]);
      return null;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof PermanentJobError || job.attempt >= this.options.maxAttempts) {
        this.log.warn({ jobId: job.id, kind: job.kind, attempt: job.attempt, error: message }, 'job dead-lettered');
        await this.pool.query(
          `update jobs set state = 'dead', locked_until = null, last_error = $2, updated_at = now() where id = $1`,
          [job.id, message],
        );
        return null;
      }
      const ceiling = Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** (job.attempt - 1));
      // Full jitter, with a floor so a retry never lands on the same instant.
      const delay = Math.max(this.options.baseBackoffMs / 5, Math.random() * ceiling);
      this.log.info(
        { jobId: job.id, kind: job.kind, attempt: job.attempt, retryInMs: Math.round(delay), error: message },
        'job failed; will retry',
      );
      await this.reschedule(job, delay, true, message);
      return null;
    }
  }

  /** Holds the kind, for every worker on the database, for at least `waitMs`. */
  private async holdKind(kind: string, waitMs: number): Promise<void> {
    await this.pool.query(
      `insert into job_kind_holds (kind, until) values ($1, to_timestamp($2 / 1000.0))
       on conflict (kind) do update set until = greatest(job_kind_holds.until, excluded.until)`,
      [kind, this.clock.now() + waitMs],
    );
  }

  /**
   * Puts a claimed job back to pending, merging into a pending job for the same key if one was
   * enqueued meanwhile: the twin re-reads the state when it runs, so it does this job's work too,
   * and it inherits the spent attempts. `afterMs` null keeps the job's run time (its place in
   * line), which the twin takes over when it is earlier; a delay (a backoff, a rate limit's wait)
   * holds the twin back as well, since it would meet the same failure or the same limit.
   */
  private async reschedule(
    job: ClaimedJob,
    afterMs: number | null,
    spendAttempt: boolean,
    reason: string,
  ): Promise<void> {
    const runAt = afterMs === null ? null : this.clock.now() + afterMs;
    const attempts = spendAttempt ? job.attempt : job.attempt - 1;
    // One statement: the twin takes the job's place, or else the job goes back to pending itself.
    await mergingPendingTwins(() =>
      this.pool.query(
        `with twin as (
           update jobs twin
              set run_at = case when $3::float8 is null then least(twin.run_at, held.run_at) else greatest(twin.run_at, to_timestamp($3 / 1000.0)) end,
                  attempts = greatest(twin.attempts, $4), last_error = $5, updated_at = now()
             from jobs held
            where held.id = $6 and twin.kind = $1 and twin.key = $2 and twin.state = 'pending'
           returning twin.id),
         merged as (delete from jobs where id = $6 and exists (select 1 from twin))
         update jobs set state = 'pending', run_at = coalesce(to_timestamp($3 / 1000.0), run_at), attempts = $4, locked_until = null, last_error = $5, updated_at = now()
          where id = $6 and not exists (select 1 from twin)`,
        [job.kind, job.key, runAt, attempts, reason, job.id],
      ),
    );
  }

  /** Jobs whose worker died (lease expired) become pending again, or merge into a pending twin. */
  private async releaseExpiredLeases(): Promise<void> {
    const now = this.clock.now();
    await mergingPendingTwins(async () => {
      await this.pool.query(
        `delete from jobs stale where stale.state = 'running' and stale.locked_until < to_timestamp($1 / 1000.0)
            and exists (select 1 from jobs twin where twin.kind = stale.kind and twin.key = stale.key and twin.state = 'pending')`,
        [now],
      );
      await this.pool.query(
        `update jobs set state = 'pending', locked_until = null, updated_at = now()
          where state = 'running' and locked_until < to_timestamp($1 / 1000.0)`,
        [now],
      );
    });
  }
}

/**
 * Runs `work`, which turns running jobs back into pending ones after looking for a pending twin
 * to merge into, again when a twin appeared in between. Another process's transaction can
 * enqueue the twin after our look and commit while our update waits on the one-pending-job-per-key
 * index; the update then fails with a unique violation (which used to leave the job "running"
 * beside its twin until its lease ran out). Once that error is raised the twin is committed, so
 * the next try sees it and merges; a twin cannot be claimed meanwhile, as its key has a running
 * job. Bounded all the same.
 */
async function mergingPendingTwins(work: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await work();
      return;
    } catch (error) {
      if (attempt >= MAX_TWIN_MERGE_ATTEMPTS || !isPendingTwinConflict(error)) throw error;
    }
  }
}

const MAX_TWIN_MERGE_ATTEMPTS = 3;

function isPendingTwinConflict(error: unknown): boolean {
  return error instanceof DatabaseError && error.code === '23505' && error.constraint === 'jobs_one_pending_per_key';
}
