/**
 * `handoff thrivecart import` and `handoff thrivecart reconcile` run as processes, as a creator
 * runs them, against the local fake of ThriveCart's API: the plan changes nothing, `--apply`
 * imports, `--since`/`--until` keep to their days (paging stops before older pages), reconcile
 * finds what no webhook said, and wrong dates are refused with what is expected.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeClock } from '../support/fake-clock.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { runCli } from '../support/run-cli.ts';
import { TEST_ACCOUNT, TEST_SECRET, testConfig, testConfigYaml } from '../support/test-config.ts';
import {
  productTransaction,
  startThriveCartApiFake,
  withThriveCartApi,
  type ThriveCartApiFake,
} from '../support/thrivecart-api-fake.ts';
import { DAY_MS } from '../../src/core/time.ts';

const API_KEY = 'tc-api-key-for-the-cli';

// Each test starts up to three CLI processes, each loading the TypeScript sources: slow on a busy machine.
describe('handoff thrivecart, as a process', { timeout: 180_000 }, () => {
  let handoff: TestHandoff;
  let fake: ThriveCartApiFake;
  let home: string;
  let configPath: string;
  const day = (at: number) => new Date(at).toISOString().slice(0, 10);
  const cli = (...args: string[]) =>
    runCli(['thrivecart', ...args, '--config', configPath], {
      ...process.env,
      DATABASE_URL: handoff.database.connectionString,
      THRIVECART_SECRET: TEST_SECRET,
      LOG_LEVEL: 'warn',
    });
  const transactionPagesAsked = () => fake.requests.filter((request) => request.startsWith('GET /transactions')).length;
  const row = productTransaction;

  beforeAll(async () => {
    // The CLI runs on the real clock.
    handoff = await startTestHandoff({ config: testConfig(), clock: new FakeClock(Date.now()) });
    fake = await startThriveCartApiFake({ apiKey: API_KEY, account: TEST_ACCOUNT });
    home = mkdtempSync(join(tmpdir(), 'handoff-cli-thrivecart-'));
    configPath = join(home, 'handoff.config.yaml');
    writeFileSync(configPath, withThriveCartApi(testConfigYaml('${THRIVECART_SECRET}'), fake, API_KEY));
    const now = Date.now();
    // Newest first: two buyers of the last 10 days, then 250 of a year ago and more (three pages).
    fake.transactions.push(row(7001, 'recent-a@example.com', 'charge', now - 2 * DAY_MS));
    fake.transactions.push(row(7002, 'recent-b@example.com', 'charge', now - 5 * DAY_MS));
    for (let index = 0; index < 250; index += 1)
      fake.transactions.push(row(7100 + index, `old${index}@example.com`, 'charge', now - (365 + index) * DAY_MS));
  });
  afterAll(async () => {
    await handoff.close();
    await fake.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('plans an import of the days asked for, changing nothing, and stops paging before older pages', async () => {
    const since = day(Date.now() - 30 * DAY_MS);
    const planned = await cli('import', '--since', since, '--json');
    expect(planned.stderr).toBe('');
    expect(planned.code).toBe(0);
    expect(JSON.parse(planned.stdout)).toMatchObject({
      applied: false,
      people: 2,
      offeringsGranted: { 'focus-course': 2 },
    });
    // Page 2 is all a year old: no page 3.
    expect(transactionPagesAsked()).toBe(2);
    const contacts = await handoff.runtime.ctx.pool.query(`select id from contacts`);
    expect(contacts.rowCount).toBe(0);
  });

  it('applies it with --apply, printing progress and what it did', async () => {
    const since = day(Date.now() - 30 * DAY_MS);
    const applied = await cli('import', '--since', since, '--until', day(Date.now() - 3 * DAY_MS), '--apply');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toContain('transactions: page 2');
    expect(applied.stdout).toContain('people applied: 1 of 1');
    expect(applied.stdout).toMatch(/Imported: 1 people, 1 new events/);
    expect((await handoff.api('/api/access?email=recent-b@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
    expect((await handoff.api('/api/access?email=recent-a@example.com&offering=focus-course')).body).toMatchObject({
      granted: false,
    });
  });

  it('reconciles: reports the purchase outside the imported days, and --fix applies it', async () => {
    const found = await cli('reconcile', '--since', day(Date.now() - 30 * DAY_MS));
    expect(found.code).toBe(0);
    expect(found.stdout).toMatch(/1 thing\(s\) ThriveCart knows that no webhook told Handoff; run again with --fix/);
    expect(found.stdout).toContain('recent-a@example.com');

    const fixed = await cli('reconcile', '--since', day(Date.now() - 30 * DAY_MS), '--fix');
    expect(fixed.code).toBe(0);
    expect((await handoff.api('/api/access?email=recent-a@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
    const again = await cli('reconcile', '--since', day(Date.now() - 30 * DAY_MS));
    expect(again.stdout).toMatch(
      /^The ledger agrees with ThriveCart \(from \d{4}-\d{2}-\d{2}\): nothing is missing\./m,
    );
  });

  it('refuses dates it cannot read, and a window on a CSV import, saying what is expected', async () => {
    const wrong = await cli('import', '--since', '2025-13-01');
    expect(wrong.stdout).toBe('');
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain('--since expects a day as YYYY-MM-DD (e.g. 2025-01-01), not "2025-13-01"');
    const backwards = await cli('reconcile', '--since', '2025-06-01', '--until', '2025-01-01');
    expect(backwards.code).toBe(1);
    expect(backwards.stderr).toContain('--since 2025-06-01 is after --until 2025-01-01');
    const csv = await cli('import', '--csv', join(home, 'members.csv'), '--since', '2025-01-01');
    expect(csv.code).toBe(1);
    expect(csv.stderr).toContain('a CSV import takes every row of the file');
  });
});
