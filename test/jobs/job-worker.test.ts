import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { enqueueJobs } from '../../src/adapters/jobs/enqueue-job.ts';
import { JobWorker } from '../../src/adapters/jobs/job-worker.ts';
import { useMigratedDatabase } from '../support/database.ts';
import { FakeClock } from '../support/fake-clock.ts';

describe('the job worker', () => {
  const database = useMigratedDatabase();
  const clock = new FakeClock();
  const log = pino({ level: 'silent' });

  const pending = async (kind: string): Promise<number> =>
    (
      await database.pool.query<{ count: number }>(
        `select count(*)::int as count from jobs where kind = $1 and state = 'pending'`,
        [kind],
      )
    ).rows[0]!.count;

  it('stops after the batch in hand instead of draining a backlog, so a shutdown is prompt', async () => {
    await enqueueJobs(
      database.pool,
      Array.from({ length: 200 }, (_, index) => ({ kind: 'slow', key: String(index), runAt: clock.now() })),
    );
    let ran = 0;
    const worker = new JobWorker(
      database.pool,
      clock,
      { slow: async () => void (await new Promise((done) => setTimeout(done, 20)), (ran += 1)) },
      log,
      { batchSize: 10 },
    );
    worker.start();
    while (ran === 0) await new Promise((done) => setTimeout(done, 5));
    await worker.stop();
    expect(ran).toBeLessThan(200);
    expect(await pending('slow')).toBe(200 - ran);
  });

  it('holds a whole kind for every worker on the database when a job says the wait is its kind’s', async () => {
    await enqueueJobs(
      database.pool,
      Array.from({ length: 50 }, (_, index) => ({ kind: 'budgeted', key: String(index), runAt: clock.now() })),
    );
    let calls = 0;
    const spentBudget = async () => {
      calls += 1;
      return { retryAfterMs: 1_000, spendAttempt: false, holdsKind: true, reason: 'budget spent' };
    };
    const first = new JobWorker(database.pool, clock, { budgeted: spentBudget }, log, { batchSize: 10 });
    const second = new JobWorker(database.pool, clock, { budgeted: spentBudget }, log, { batchSize: 10 });
    expect(await first.runDue()).toBe(10);
    // Another process sharing the database sees the hold too.
    expect(await second.runDue()).toBe(0);
    expect(calls).toBe(10);
    clock.advance(1_000);
    expect(await second.runDue()).toBe(10);
    expect(await pending('budgeted')).toBe(50);
  });

  it('claims the oldest due jobs across kinds, passing over a held kind’s backlog however long', async () => {
    const start = clock.now();
    await enqueueJobs(
      database.pool,
      Array.from({ length: 2_000 }, (_, index) => ({
        kind: 'held-crm',
        key: String(index),
        runAt: start - 10_000 + index,
      })),
    );
    await database.pool.query(
      `insert into job_kind_holds (kind, until) values ('held-crm', to_timestamp($1 / 1000.0))`,
      [start + 60_000],
    );
    // Two kinds, due at interleaved times; one more of each not due yet.
    const due = (kind: string, offsets: number[]) =>
      offsets.map((offset) => ({ kind, key: `${kind}@${offset}`, runAt: start - 5_000 + offset }));
    await enqueueJobs(database.pool, [
      ...due('mail', [1, 4, 5, 9]),
      ...due('hook', [2, 3, 7, 8]),
      { kind: 'mail', key: 'later', runAt: start + 1_000 },
      { kind: 'hook', key: 'later', runAt: start + 1_000 },
    ]);
    const ran: string[] = [];
    const worker: JobWorker = new JobWorker(
      database.pool,
      clock,
      {
        'held-crm': async (job) => void ran.push(job.key),
        mail: async (job) => void (ran.push(job.key), worker.stop()),
        hook: async (job) => void (ran.push(job.key), worker.stop()),
      },
      log,
      { batchSize: 5 },
    );
    // stop() from the first job ends the round after its batch: exactly one claim is observed.
    expect(await worker.runDue()).toBe(5);
    expect(ran.sort()).toEqual(['hook@2', 'hook@3', 'mail@1', 'mail@4', 'mail@5']);
    expect(await pending('held-crm')).toBe(2_000);
    expect(await pending('mail')).toBe(2);
    expect(await pending('hook')).toBe(3);
  });
});
