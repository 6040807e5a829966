/**
 * Two processes on one database: while one process's worker puts a failed job back to pending,
 * the other process enqueues a new job for the same key (a delivery for the same contact). The
 * interleaving that used to fail ("duplicate key value violates unique constraint
 * jobs_one_pending_per_key" at JobWorker.reschedule, the job left "running" beside its pending twin
 * until its two-minute lease ran out) is forced deterministically: the other process's enqueue is
 * held uncommitted until the worker's update waits on it, then committed.
 */
import pg from 'pg';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/adapters/jobs/enqueue-job.ts';
import { JobWorker } from '../../src/adapters/jobs/job-worker.ts';
import type { Pool } from '../../src/adapters/store/database.ts';
import { useMigratedDatabase } from '../support/database.ts';
import { FakeClock } from '../support/fake-clock.ts';

const KIND = 'crm.sync:test';
const KEY = '42';

describe('a job put back to pending while another process enqueues its twin', () => {
  const database = useMigratedDatabase();
  const clock = new FakeClock();
  const log = pino({ level: 'silent' });

  it('merges into the twin instead of failing: no job left running, the twin runs once on the other worker', async () => {
    await enqueueJob(database.pool, { kind: KIND, key: KEY, runAt: clock.now() });
    // The other process: its intake's transaction, and its own worker.
    const otherIntake = new pg.Client({ connectionString: database.connectionString });
    await otherIntake.connect();
    const otherIntakePid = (await otherIntake.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid;
    const twinRuns: number[] = [];
    const otherWorker = new JobWorker(
      database.pool,
      clock,
      { [KIND]: async (job) => void twinRuns.push(job.id) },
      log,
      {
        baseBackoffMs: 1_000,
      },
    );
    try {
      const failingWorker = new JobWorker(
        database.pool,
        clock,
        {
          [KIND]: async () => {
            // The contact changes in the other process while this run talks to the CRM, which then fails.
            await otherIntake.query('begin');
            await enqueueJob(otherIntake, { kind: KIND, key: KEY, runAt: clock.now() });
            throw new Error('the CRM answered 503');
          },
        },
        log,
        { baseBackoffMs: 1_000 },
      );
      const round = failingWorker.runDue();
      await waitUntilBlockedBy(database.pool, otherIntakePid);
      await otherIntake.query('commit');

      await expect(round).resolves.toBe(1);
      const jobs = await database.pool.query<{ state: string; attempts: number; last_error: string }>(
        `select state, attempts, last_error from jobs where kind = $1 and key = $2`,
        [KIND, KEY],
      );
      // One job left, pending: the twin, carrying the failed run's attempt and error.
      expect(jobs.rows).toEqual([{ state: 'pending', attempts: 1, last_error: 'the CRM answered 503' }]);

      // The failed run's backoff (at most the base, 1 s, on a first attempt) holds the twin back too.
      expect(await otherWorker.runDue()).toBe(0);
      clock.advance(1_000);
      expect(await otherWorker.runDue()).toBe(1);
      expect(twinRuns).toHaveLength(1);
      expect((await database.pool.query(`select 1 from jobs where kind = $1`, [KIND])).rowCount).toBe(0);
    } finally {
      await otherIntake.end();
    }
  });
});

/** Waits until some session of the database waits for a lock held by the session `holderPid`. */
async function waitUntilBlockedBy(pool: Pool, holderPid: number): Promise<void> {
  for (;;) {
    const waiting = await pool.query(`select 1 from pg_stat_activity where $1 = any(pg_blocking_pids(pid))`, [
      holderPid,
    ]);
    if (waiting.rowCount) return;
    await new Promise((wake) => setTimeout(wake, 10));
  }
}
