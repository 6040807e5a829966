/**
 * T1, crash during a burst: distinct purchases sent at a steady rate to a `handoff serve` that is
 * killed with SIGKILL at given points and restarted; the sender re-sends whatever did not get a
 * 2xx. Then: every acknowledged delivery is stored and applied once, no job is left running, and
 * neither the database nor the logs hold the secret word.
 */
import { expect } from 'vitest';
import pg from 'pg';
import { pino } from 'pino';
import { appendFile } from 'node:fs/promises';
import { startDripFake } from '../../../src/adapters/crm/drip/fake-server.ts';
import type { FakeCrmServer } from '../../../src/adapters/crm/fake-crm-server.ts';
import { JobWorker } from '../../../src/adapters/jobs/job-worker.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { startEmbeddedPostgres } from '../../../src/adapters/store/embedded-postgres.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { connectRuntime } from '../../../src/main.ts';
import { TEST_SECRET } from '../../support/test-config.ts';
import { findInDatabase, secretSpellings } from './database-scan.ts';
import { distinctBodies, orderIdOf } from './distinct-bodies.ts';
import { expectEachEffectOnce, expectPurchasesApplied } from './effect-checks.ts';
import { sendPaced } from './paced-sender.ts';
import { createHandoffHome, freePort, spawnHandoff } from './spawned-handoff.ts';

export interface CrashScenario {
  deliveries: number;
  ratePerSecond: number;
  /** Fractions of the deliveries sent (a first time) at which the process is killed. */
  killAt: number[];
  /**
   * Also sync every contact to a CRM (a Drip fake in this process) and check that each ends there
   * once, with its tags once. Drip's budget (3,600 requests an hour) fits a few hundred buyers.
   */
  withCrm?: boolean;
}

const DRIP_ACCOUNT = '7000001';
const DRIP_TOKEN = 'drip-reliability-token';

/** Longer than the worker's lease (120 s), so a job a killed process held counts as abandoned. */
const PAST_EVERY_LEASE_MS = 10 * 60_000;

export async function runCrashScenario(scenario: CrashScenario): Promise<void> {
  const home = await createHandoffHome('handoff-crash-');
  const drip = scenario.withCrm ? await startDripFake(DRIP_ACCOUNT, DRIP_TOKEN) : null;
  try {
    if (drip) await appendFile(home.configPath, `crm:\n  - provider: drip\n    baseUrl: ${drip.url}\n    accountId: "${DRIP_ACCOUNT}"\n    apiToken: ${DRIP_TOKEN}\n`);
    const server = await spawnHandoff({ home, port: await freePort() });
    const bodies = distinctBodies('purchase', 1, scenario.deliveries);
    let kills = 0;
    const report = await sendPaced({
      url: server.url,
      bodies,
      ratePerSecond: scenario.ratePerSecond,
      maxInFlight: 32,
      checkpoints: scenario.killAt.map((fraction) => ({
        afterFirstSends: Math.round(fraction * scenario.deliveries),
        action: async () => {
          await server.kill();
          kills += 1;
          await server.restart();
        },
      })),
    });
    await server.stop();

    expect(kills).toBe(scenario.killAt.length);
    // The kills were felt: some sends failed and were retried (else the scenario tested nothing).
    expect(report.retries).toBeGreaterThan(0);
    expect(report.refusals).toEqual([]);
    expect(report.acknowledged.every(Boolean)).toBe(true);

    const { connectionString } = await startEmbeddedPostgres({ dataDir: home.dataDir });
    const config = loadConfig(home.configPath, { THRIVECART_SECRET: TEST_SECRET });
    // The final run: a clock past every lease, so what a killed process held (jobs, a CRM
    // credential's turn) is taken back.
    const clock = new FakeClock(Date.now() + PAST_EVERY_LEASE_MS);
    const runtime = await connectRuntime({ config, connectionString, dataDir: home.dataDir, log: pino({ level: 'silent' }), clock });
    try {
      const worker = new JobWorker(runtime.ctx.pool, clock, runtime.jobHandlers, runtime.ctx.log);
      await drainJobs(worker, runtime.ctx.pool, clock);
      await expectCrashSurvived(runtime.ctx.pool, scenario.deliveries);
      if (drip) expectEachBuyerInCrmOnce(drip, scenario.deliveries, kills);
      // Neither the ThriveCart secret word nor the CRM key is stored or logged anywhere.
      const secrets = [...secretSpellings(TEST_SECRET), ...(drip ? [DRIP_TOKEN] : [])];
      expect(await findInDatabase(runtime.ctx.pool, secrets)).toEqual([]);
      for (const spelling of secrets) expect(server.output()).not.toContain(spelling);
    } finally {
      await runtime.close();
    }
  } finally {
    await drip?.close();
    await home.remove();
  }
}

/**
 * Runs every due job, moving the clock a second at a time so jobs told to come back later (a CRM
 * credential busy with another contact) do, until nothing is pending within the next hour.
 */
async function drainJobs(worker: JobWorker, db: pg.Pool, clock: FakeClock): Promise<void> {
  for (let round = 0; round < 5_000; round += 1) {
    await worker.runDue();
    const pending = await db.query<{ count: number }>(`select count(*)::int as count from jobs where state = 'pending' and run_at < to_timestamp($1::float8 / 1000.0)`, [clock.now() + 3_600_000]);
    if (pending.rows[0]!.count === 0) return;
    clock.advance(1_000);
  }
  throw new Error('jobs still pending after 5,000 rounds');
}

/**
 * In the CRM: one subscriber per buyer with exactly the purchase's tags. A kill between a CRM
 * call and the record of it can repeat that call (the CRM treats it as a no-op), so the calls may
 * exceed one per change by at most the calls in flight at each kill, never more.
 */
function expectEachBuyerInCrmOnce(drip: FakeCrmServer, deliveries: number, kills: number): void {
  const subscribers = [...drip.state.contacts.values()];
  expect(subscribers).toHaveLength(deliveries);
  expect(new Set(subscribers.map((subscriber) => subscriber.email.toLowerCase())).size).toBe(deliveries);
  const wrongTags = subscribers.filter((subscriber) => drip.state.tagNamesOf(subscriber.id).sort().join(',') !== 'Bought Focus,Focus - Access');
  expect(wrongTags.map((subscriber) => `${subscriber.email}: ${drip.state.tagNamesOf(subscriber.id).join(', ')}`)).toEqual([]);
  const tagCalls = drip.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/tags')).length;
  expect(tagCalls).toBeGreaterThanOrEqual(deliveries * 2);
  expect(tagCalls - deliveries * 2, 'tag calls repeated beyond those in flight at a kill').toBeLessThanOrEqual(kills * 4);
}

async function expectCrashSurvived(db: pg.Pool, deliveries: number): Promise<void> {
  const outcome = await db.query<{ status: string; count: number }>(`select status, count(*)::int as count from deliveries group by status`);
  expect(outcome.rows).toEqual([{ status: 'applied', count: deliveries }]);
  await expectEachEffectOnce(db);
  await expectPurchasesApplied(db, Array.from({ length: deliveries }, (_, index) => orderIdOf(index + 1)));
  const contacts = await db.query<{ count: number }>(`select count(*)::int as count from contacts`);
  expect(contacts.rows[0]!.count).toBe(deliveries);
  const stuck = await db.query<{ count: number }>(`select count(*)::int as count from jobs where state = 'running'`);
  expect(stuck.rows[0]!.count, 'jobs left running after the final run').toBe(0);
}
