/**
 * Two Handoff instances on one PostgreSQL (each with its own pool, HTTP server and job worker, as
 * two processes would have) share a stream of deliveries and a workload of due timers. Each
 * delivery is stored and applied once whichever instance got it (and both got a copy of some);
 * each timer runs once although both workers poll for it at the same moment.
 */
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobWorker } from '../../src/adapters/jobs/job-worker.ts';
import { buildThriveCartFields, encodeForm } from '../../src/adapters/sources/thrivecart/build-body.ts';
import { buildServer } from '../../src/http/server.ts';
import { connectRuntime, type Runtime } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { TEST_ACCOUNT, TEST_SECRET, testConfig } from '../support/test-config.ts';
import { expectEachEffectOnce } from './support/effect-checks.ts';
import type { JobHandler } from '../../src/ports/jobs.ts';

const CUSTOMERS = 120;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const SENDS_AT_ONCE = 16;

interface Instance {
  name: string;
  runtime: Runtime;
  url: string;
  worker: JobWorker;
  close(): Promise<void>;
}

interface JobRun {
  instance: string;
  kind: string;
  key: string;
}

async function startInstance(
  name: string,
  database: TestDatabase,
  clock: FakeClock,
  runs: JobRun[],
): Promise<Instance> {
  const log = pino({ level: 'silent' });
  const runtime = await connectRuntime({
    config: testConfig(),
    connectionString: database.connectionString,
    dataDir: '/nonexistent',
    log,
    clock,
  });
  const server = buildServer(runtime.ctx, { adminToken: 'two-processes-token', publicUrl: 'http://127.0.0.1' });
  await server.listen({ port: 0, host: '127.0.0.1' });
  // Every job run is recorded before it runs: the count per (kind, key) is the effect under test.
  const counted: Record<string, JobHandler> = Object.fromEntries(
    Object.entries(runtime.jobHandlers).map(([kind, handler]) => [
      kind,
      async (job: Parameters<JobHandler>[0]) => {
        runs.push({ instance: name, kind: job.kind, key: job.key });
        return handler(job);
      },
    ]),
  );
  const worker = new JobWorker(runtime.ctx.pool, clock, counted, log, { batchSize: 5 });
  return {
    name,
    runtime,
    url: `http://127.0.0.1:${(server.server.address() as AddressInfo).port}`,
    worker,
    close: async () => {
      await server.close();
      await runtime.close();
    },
  };
}

function deliveriesOf(customer: number, now: number): string[] {
  const common = {
    account: TEST_ACCOUNT,
    secret: TEST_SECRET,
    email: `shared-${customer}@example.com`,
    item: 'product-40',
    orderId: String(810_000 + customer),
  };
  const purchase = buildThriveCartFields('purchase', {
    ...common,
    recurring: true,
    occurredAt: new Date(now - 10 * DAY),
  });
  // Paid periods end at different hours of the next day, so the timers fall due together only once the clock jumps.
  const cancel = buildThriveCartFields('cancel', {
    ...common,
    occurredAt: new Date(now - DAY),
    paidThrough: new Date(now + (1 + (customer % 20)) * HOUR),
  });
  return [encodeForm(purchase), encodeForm(cancel)];
}

async function post(url: string, body: string): Promise<{ status: number; outcome: string }> {
  const response = await fetch(`${url}/webhooks/thrivecart`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  return { status: response.status, outcome: String(((await response.json()) as { status?: unknown }).status) };
}

describe('two Handoff instances on one database', () => {
  const clock = new FakeClock();
  const runs: JobRun[] = [];
  let database: TestDatabase;
  let instances: [Instance, Instance];
  beforeAll(async () => {
    database = await createTestDatabase();
    instances = [
      await startInstance('first', database, clock, runs),
      await startInstance('second', database, clock, runs),
    ];
  });
  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await database.drop();
  });

  it('apply each delivery once, wherever it arrived, and run each due timer once', async () => {
    const [first, second] = instances;
    const sends: (() => Promise<{ status: number; outcome: string }>)[] = [];
    for (let customer = 0; customer < CUSTOMERS; customer += 1) {
      const [purchase, cancel] = deliveriesOf(customer, clock.now());
      const [target, other] = customer % 2 === 0 ? [first, second] : [second, first];
      sends.push(
        () => post(target.url, purchase!),
        () => post(other.url, cancel!),
      );
      // Every third customer's purchase reaches both instances, as a sender's retry could.
      if (customer % 3 === 0) sends.push(() => post(other.url, purchase!));
    }
    const answers: { status: number; outcome: string }[] = [];
    for (let start = 0; start < sends.length; start += SENDS_AT_ONCE) {
      answers.push(...(await Promise.all(sends.slice(start, start + SENDS_AT_ONCE).map((send) => send()))));
    }
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.filter((answer) => answer.outcome === 'applied')).toHaveLength(2 * CUSTOMERS);
    expect(answers.filter((answer) => answer.outcome === 'duplicate')).toHaveLength(Math.ceil(CUSTOMERS / 3));

    clock.advance(DAY);
    for (let round = 0; round < 10; round += 1) {
      const ran = await Promise.all([first.worker.runDue(), second.worker.runDue()]);
      if (ran[0] + ran[1] === 0) break;
    }

    const db = first.runtime.ctx.pool;
    await expectEachEffectOnce(db);
    const timerRuns = new Map<string, number>();
    for (const run of runs) timerRuns.set(`${run.kind}:${run.key}`, (timerRuns.get(`${run.kind}:${run.key}`) ?? 0) + 1);
    expect(
      [...timerRuns.values()].filter((count) => count !== 1),
      'timers that ran more than once',
    ).toEqual([]);
    expect(timerRuns.size).toBe(CUSTOMERS);
    // Both workers took a share: the test would prove nothing if one of them never claimed a job.
    expect(new Set(runs.map((run) => run.instance))).toEqual(new Set(['first', 'second']));
    const left = await db.query<{ state: string; count: number }>(
      `select state, count(*)::int as count from jobs group by state`,
    );
    expect(left.rows).toEqual([]);
    const revoked = await db.query<{ count: number }>(
      `select count(*)::int as count from contacts where ledger->'access' @> '[{"offering": "community", "granted": false}]'`,
    );
    expect(revoked.rows[0]!.count).toBe(CUSTOMERS);
  }, 120_000);
});
