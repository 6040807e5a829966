/**
 * T1, crash during a burst: distinct purchases (and, with `withEmail`, failed membership
 * payments) sent at a steady rate to a `handoff serve` that is killed with SIGKILL at given points
 * and restarted; the sender re-sends whatever did not get a 2xx. Then: every acknowledged delivery
 * is stored and applied once, no job is left running, every failed payment got its reminder
 * e-mail (twice only where a kill caught it between send and mark), and neither the database nor
 * the logs hold the secret word.
 */
import { expect } from 'vitest';
import pg from 'pg';
import { pino } from 'pino';
import { writeFile } from 'node:fs/promises';
import { startDripFake } from '../../support/crm-fakes/drip.ts';
import type { FakeCrmServer } from '../../support/crm-fakes/fake-crm-server.ts';
import { JobWorker } from '../../../src/adapters/jobs/job-worker.ts';
import { FakeClock } from '../../support/fake-clock.ts';
import { startEmbeddedPostgres } from '../../../src/adapters/store/embedded-postgres.ts';
import { loadConfig } from '../../../src/config/load-config.ts';
import { connectRuntime } from '../../../src/main.ts';
import { TEST_SECRET } from '../../support/test-config.ts';
import {
  failedPayments,
  findCaseProblems,
  findReminderProblems,
  MailLives,
  mailYaml,
  mixDeliveries,
  type Delivery,
} from './crash-email.ts';
import { findInDatabase, secretSpellings } from './database-scan.ts';
import { distinctBodies, emailOf, orderIdOf } from './distinct-bodies.ts';
import { expectEachEffectOnce, expectPurchasesApplied } from './effect-checks.ts';
import { sendPaced } from './paced-sender.ts';
import { createHandoffHome, freePort, spawnHandoff, SPAWNED_CONFIG_YAML } from './spawned-handoff.ts';

export interface CrashScenario {
  /** Distinct purchases of the course (product-12), each by a new buyer, numbered from 1. */
  purchases: number;
  ratePerSecond: number;
  /** Fractions of all deliveries sent (a first time) at which the process is killed. */
  killAt: number[];
  /**
   * Also sync every contact to a CRM (a Drip fake in this process) and check that each ends there
   * once, with its tags once. Drip's budget (3,600 requests an hour) fits a few hundred buyers.
   */
  withCrm?: boolean;
  /**
   * Also fail the monthly membership payment (product-40, dunned, reminder on day 0) of the first
   * `failedPayments` buyers, each failure reported twice, mixed among the purchases; mail goes to
   * real SMTP servers in this process. Checks that each of them got the reminder once, or twice
   * only where a kill caught it between send and mark.
   */
  withEmail?: { failedPayments: number };
}

const DRIP_ACCOUNT = '7000001';
const DRIP_TOKEN = 'drip-reliability-token';

/** Longer than the worker's lease (120 s), so a job a killed process held counts as abandoned. */
const PAST_EVERY_LEASE_MS = 10 * 60_000;

export async function runCrashScenario(scenario: CrashScenario): Promise<void> {
  const home = await createHandoffHome('handoff-crash-');
  const drip = scenario.withCrm ? await startDripFake(DRIP_ACCOUNT, DRIP_TOKEN) : null;
  const mail = scenario.withEmail ? new MailLives() : null;
  const crmYaml = drip
    ? `crm:\n  - provider: drip\n    baseUrl: ${drip.url}\n    accountId: "${DRIP_ACCOUNT}"\n    apiToken: ${DRIP_TOKEN}\n`
    : '';
  /** Read at every start: each life of the process gets the address of its own SMTP server. */
  const writeConfig = (smtpUrl: string | null): Promise<void> =>
    writeFile(home.configPath, SPAWNED_CONFIG_YAML + crmYaml + (smtpUrl ? mailYaml(smtpUrl) : ''));
  try {
    let life = 1;
    await writeConfig(mail ? await mail.nextLife(life) : null);
    const server = await spawnHandoff({ home, port: await freePort() });
    // The process's PostgreSQL is detached and outlives each SIGKILL: what a kill left in flight is read there.
    const observer = mail
      ? new pg.Pool({
          connectionString: (await startEmbeddedPostgres({ dataDir: home.dataDir })).connectionString,
          max: 1,
        })
      : null;
    const deliveries = deliveriesFor(scenario);
    let kills = 0;
    const report = await sendPaced({
      url: server.url,
      bodies: deliveries.map((delivery) => delivery.body),
      ratePerSecond: scenario.ratePerSecond,
      maxInFlight: 32,
      checkpoints: scenario.killAt.map((fraction) => ({
        afterFirstSends: Math.round(fraction * deliveries.length),
        action: async () => {
          await server.kill();
          kills += 1;
          if (mail && observer) {
            await mail.killed(observer);
            life += 1;
            await writeConfig(await mail.nextLife(life));
          }
          await server.restart();
        },
      })),
    }).finally(() => observer?.end());
    await server.stop();

    expect(kills).toBe(scenario.killAt.length);
    // The kills were felt: some sends failed and were retried (else the scenario tested nothing).
    expect(report.retries).toBeGreaterThan(0);
    expect(report.refusals).toEqual([]);
    expect(report.acknowledged.every(Boolean)).toBe(true);

    const { connectionString } = await startEmbeddedPostgres({ dataDir: home.dataDir });
    if (mail) await writeConfig(await mail.nextLife('final'));
    const config = loadConfig(home.configPath, { THRIVECART_SECRET: TEST_SECRET });
    // The final run: a clock past every lease, so what a killed process held (jobs, a CRM
    // credential's turn, a reminder it claimed) is taken back.
    const clock = new FakeClock(Date.now() + PAST_EVERY_LEASE_MS);
    const runtime = await connectRuntime({
      config,
      connectionString,
      dataDir: home.dataDir,
      log: pino({ level: 'silent' }),
      clock,
    });
    try {
      const worker = new JobWorker(runtime.ctx.pool, clock, runtime.jobHandlers, runtime.ctx.log);
      await drainJobs(worker, runtime.ctx.pool, clock);
      await expectCrashSurvived(runtime.ctx.pool, deliveries, scenario.purchases);
      if (drip) expectEachBuyerInCrmOnce(drip, scenario.purchases, scenario.withEmail?.failedPayments ?? 0, kills);
      if (mail) {
        const failed = new Set(
          deliveries
            .filter((delivery, index) => delivery.kind !== 'purchase' && report.acknowledged[index])
            .map((delivery) => delivery.number),
        );
        await expectEachReminderOnce(runtime.ctx.pool, mail, [...failed]);
      }
      // Neither the ThriveCart secret word nor the CRM key is stored or logged anywhere.
      const secrets = [...secretSpellings(TEST_SECRET), ...(drip ? [DRIP_TOKEN] : [])];
      expect(await findInDatabase(runtime.ctx.pool, secrets)).toEqual([]);
      for (const spelling of secrets) expect(server.output()).not.toContain(spelling);
    } finally {
      await runtime.close();
    }
  } finally {
    await drip?.close();
    await mail?.close();
    await home.remove();
  }
}

/**
 * The purchases in order and, with `withEmail`, the failure reports of the first buyers spread
 * evenly among them (so each is first sent after that buyer's purchase), each retry about a
 * second of sending after its failure.
 */
function deliveriesFor(scenario: CrashScenario): Delivery[] {
  const purchases = distinctBodies('purchase', 1, scenario.purchases).map((body, index): Delivery => ({
    kind: 'purchase',
    number: index + 1,
    body,
  }));
  const count = scenario.withEmail?.failedPayments ?? 0;
  if (count === 0) return purchases;
  const { failures, retries } = failedPayments(1, count, Date.now());
  const failuresPerSecond = (scenario.ratePerSecond * count) / (scenario.purchases + 2 * count);
  return mixDeliveries(purchases, failures, retries, Math.max(1, Math.round(failuresPerSecond)));
}

/**
 * Runs every due job, moving the clock a second at a time so jobs told to come back later (a CRM
 * credential busy with another contact) do, until nothing is pending within the next hour.
 */
async function drainJobs(worker: JobWorker, db: pg.Pool, clock: FakeClock): Promise<void> {
  for (let round = 0; round < 5_000; round += 1) {
    await worker.runDue();
    const pending = await db.query<{ count: number }>(
      `select count(*)::int as count from jobs where state = 'pending' and run_at < to_timestamp($1::float8 / 1000.0)`,
      [clock.now() + 3_600_000],
    );
    if (pending.rows[0]!.count === 0) return;
    clock.advance(1_000);
  }
  throw new Error('jobs still pending after 5,000 rounds');
}

/**
 * In the CRM: one subscriber per buyer with exactly the tags of what happened to them (the course
 * bought; for the first `failing` buyers also the membership, its payment failing). A kill between
 * a CRM call and the record of it can repeat that call (the CRM treats it as a no-op), so the
 * calls may exceed one per change by at most the calls in flight at each kill, never more.
 */
function expectEachBuyerInCrmOnce(drip: FakeCrmServer, buyers: number, failing: number, kills: number): void {
  const subscribers = [...drip.state.contacts.values()];
  expect(subscribers).toHaveLength(buyers);
  expect(new Set(subscribers.map((subscriber) => subscriber.email.toLowerCase())).size).toBe(buyers);
  const failingEmails = new Set(Array.from({ length: failing }, (_, index) => emailOf(index + 1)));
  const expectedTags = (email: string): string =>
    failingEmails.has(email)
      ? 'Bought Focus,Community - Access,Focus - Access,Payment Failed'
      : 'Bought Focus,Focus - Access';
  const wrongTags = subscribers.filter(
    (subscriber) => drip.state.tagNamesOf(subscriber.id).sort().join(',') !== expectedTags(subscriber.email),
  );
  expect(
    wrongTags.map((subscriber) => `${subscriber.email}: ${drip.state.tagNamesOf(subscriber.id).join(', ')}`),
  ).toEqual([]);
  const changes = buyers * 2 + failing * 2;
  const tagCalls = drip.requests.filter(
    (request) => request.method === 'POST' && request.path.endsWith('/tags'),
  ).length;
  expect(tagCalls).toBeGreaterThanOrEqual(changes);
  expect(tagCalls - changes, 'tag calls repeated beyond those in flight at a kill').toBeLessThanOrEqual(kills * 4);
}

/**
 * Every acknowledged failed payment's day-0 reminder reached its buyer and nothing else was sent;
 * a reminder arrived twice only when its first copy came from a process killed while that
 * reminder was claimed and not yet marked sent (the mark died with the process), never three
 * times. The effect ledger agrees.
 */
async function expectEachReminderOnce(db: pg.Pool, mail: MailLives, numbers: readonly number[]): Promise<void> {
  const received = mail.received();
  const findings = findReminderProblems(
    received,
    numbers.map((number) => emailOf(number)),
  );
  expect(findings.missing, 'acknowledged failed payments whose reminder never arrived').toEqual([]);
  expect(findings.unexpected, 'e-mails that are not the reminder of a failed payment').toEqual([]);
  expect(
    findings.forbiddenDuplicates,
    'reminders sent twice, not because a kill caught them between send and mark',
  ).toEqual([]);
  // The spawned processes sent reminders themselves, not only the final run (else the kills could not touch them).
  expect(received.filter((email) => email.life !== 'final').length).toBeGreaterThan(0);
  expect(await findCaseProblems(db, numbers, received)).toEqual([]);
}

async function expectCrashSurvived(db: pg.Pool, deliveries: readonly Delivery[], buyers: number): Promise<void> {
  const outcome = await db.query<{ status: string; count: number }>(
    `select status, count(*)::int as count from deliveries group by status`,
  );
  expect(outcome.rows).toEqual([{ status: 'applied', count: deliveries.length }]);
  await expectEachEffectOnce(db);
  await expectPurchasesApplied(
    db,
    deliveries.filter((delivery) => delivery.kind === 'purchase').map((delivery) => orderIdOf(delivery.number)),
  );
  const contacts = await db.query<{ count: number }>(`select count(*)::int as count from contacts`);
  expect(contacts.rows[0]!.count).toBe(buyers);
  const stuck = await db.query<{ count: number }>(`select count(*)::int as count from jobs where state = 'running'`);
  expect(stuck.rows[0]!.count, 'jobs left running after the final run').toBe(0);
}
