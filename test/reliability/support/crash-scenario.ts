/**
 * T1, crash during a burst: distinct purchases sent at a steady rate to a `handoff serve` that is
 * killed with SIGKILL at given points and restarted; the sender re-sends whatever did not get a
 * 2xx. Then: every acknowledged delivery is stored and applied once, no job is left running, and
 * neither the database nor the logs hold the secret word.
 */
import { expect } from 'vitest';
import pg from 'pg';
import { pino } from 'pino';
import { JobWorker } from '../../../src/adapters/jobs/job-worker.ts';
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
}

/** Longer than the worker's lease (120 s), so a job a killed process held counts as abandoned. */
const PAST_EVERY_LEASE_MS = 10 * 60_000;

export async function runCrashScenario(scenario: CrashScenario): Promise<void> {
  const home = await createHandoffHome('handoff-crash-');
  try {
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
    const runtime = await connectRuntime({ config, connectionString, dataDir: home.dataDir, log: pino({ level: 'silent' }) });
    try {
      // The final run: a worker whose clock is past every lease takes back what a killed process held.
      const worker = new JobWorker(runtime.ctx.pool, { now: () => Date.now() + PAST_EVERY_LEASE_MS }, runtime.jobHandlers, runtime.ctx.log);
      await worker.runDue();
      await expectCrashSurvived(runtime.ctx.pool, scenario.deliveries);
      expect(await findInDatabase(runtime.ctx.pool, secretSpellings(TEST_SECRET))).toEqual([]);
      for (const spelling of secretSpellings(TEST_SECRET)) expect(server.output()).not.toContain(spelling);
    } finally {
      await runtime.close();
    }
  } finally {
    await home.remove();
  }
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
