/**
 * The console's Import page in a real browser: start an import of ThriveCart history (the fake of
 * its API, test/support/thrivecart-api-fake.ts), or plan one from a CSV file; follow its progress,
 * read the plan, and apply it only after confirming; CSRF-checked like every console form.
 */
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { openInChromium } from '../support/chromium.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { TEST_ACCOUNT, testConfigYaml } from '../support/test-config.ts';
import {
  productTransaction,
  startThriveCartApiFake,
  withThriveCartApi,
  type ThriveCartApiFake,
} from '../support/thrivecart-api-fake.ts';
import { DAY_MS } from '../../src/core/time.ts';

const API_KEY = 'tc-api-key-for-the-console';

describe('the Import page', () => {
  let handoff: TestHandoff;
  let fake: ThriveCartApiFake;
  let browser: Browser;
  let page: Page;
  let base = '';
  const text = async () => (await page.textContent('main'))?.replace(/\s+/g, ' ') ?? '';
  // A page shown while an import runs reloads itself (a `Refresh` header); left open, its reload
  // could cut into the test's next navigation.
  const leaveReloadingPage = () => page.goto('about:blank');

  beforeAll(async () => {
    fake = await startThriveCartApiFake({ apiKey: API_KEY, account: TEST_ACCOUNT });
    const yaml = withThriveCartApi(testConfigYaml(), fake, API_KEY);
    handoff = await startTestHandoff({ config: parseConfig(yaml, 'test.yaml', {}) });
    const row = (order: number, email: string, daysAgo: number) =>
      productTransaction(order, email, 'charge', handoff.clock.now() - daysAgo * DAY_MS);
    fake.transactions.push(row(8801, 'early-a@example.com', 20), row(8802, 'early-b@example.com', 40));
    ({ browser, page, base } = await openInChromium(handoff, { signIn: true }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await handoff?.close();
    await fake?.close();
  });

  it('plans an import, shows its progress and the plan, and applies it only once confirmed', async () => {
    await page.goto(`${base}/import`);
    expect(await text()).toContain('No import yet.');
    await page.click('button:has-text("Plan an import")');
    expect(await text()).toContain('Planning an import of the whole history: nothing changes until you apply it.');
    expect(await text()).toContain('Planning: waiting for its turn.');
    expect(await page.isDisabled('button:has-text("Plan an import")')).toBe(true);
    const waiting = await page.request.get(`${base}/import`);
    expect(waiting.headers()['refresh']).toBe('3');

    await leaveReloadingPage();
    await handoff.runJobs();
    await page.goto(`${base}/import`);
    const planned = await text();
    expect(planned).toContain('Not applied yet');
    expect(planned).toMatch(/People ?2 \(2 new events, 0 already known\)/);
    expect(planned).toContain('focus-course: 2');
    expect((await handoff.api('/api/access?email=early-a@example.com&offering=focus-course')).body).toMatchObject({
      granted: false,
    });

    // The browser will not send the form without the confirmation.
    await page.click('button:has-text("Apply this plan")');
    expect(await page.isVisible('button:has-text("Apply this plan")')).toBe(true);
    expect(await text()).not.toContain('Applying the plan');
    await page.check('input[name=confirm]');
    await page.click('button:has-text("Apply this plan")');
    expect(await text()).toContain('Applying the plan: waiting for its turn.');

    await leaveReloadingPage();
    await handoff.runJobs();
    await page.goto(`${base}/import`);
    expect(await text()).toMatch(/Applied /);
    expect(await page.isVisible('button:has-text("Apply this plan")')).toBe(false);
    for (const email of ['early-a@example.com', 'early-b@example.com'])
      expect((await handoff.api(`/api/access?email=${email}&offering=focus-course`)).body).toMatchObject({
        granted: true,
      });
  });

  it(
    'plans a CSV file, shows the rows it cannot import and why, and applies it, counting the people applied',
    { timeout: 120_000 },
    async () => {
      const paidThrough = new Date(handoff.clock.now() + 10 * DAY_MS).toISOString().slice(0, 10);
      const csv = [
        'email,name,item,order_id,status,paid_through',
        'csv-new@example.com,Nova Sterne,product-12,C-1,paid,',
        `early-a@example.com,Early A,product-40,C-2,active,${paidThrough}`,
        'csv-refunded@example.com,Rae Fund,product-12,C-3,refunded,',
        'csv-bump@example.com,Bo Ump,bump-99,C-4,paid,',
        'csv-baddate@example.com,Bad Date,product-40,C-5,active,31/12/2026',
      ].join('\n');
      await page.goto(`${base}/import`);
      await page.setInputFiles('input[name=file]', {
        name: 'members.csv',
        mimeType: 'text/csv',
        buffer: Buffer.from(csv),
      });
      await page.click('button:has-text("Plan this file")');
      const planned = await text();
      expect(planned).toContain('Planned the file: 3 people. 1 row(s) cannot be imported.');
      expect(planned).toContain('From a CSV file');
      expect(planned).toMatch(/People ?3 \(4 new events, 0 already known\)/);
      expect(planned).toMatch(/Access granted ?(community: 1, focus-course: 1|focus-course: 1, community: 1)/);
      expect(planned).toMatch(/Access revoked ?focus-course: 1/);
      expect(planned).toContain('bump-99 "bump-99" (1 people)');
      expect(await page.textContent('[data-not-imported] tbody')).toContain(
        'line 6, column paid_through: "31/12/2026" is not a date (YYYY-MM-DD)',
      );
      expect((await handoff.api('/api/contacts/csv-new@example.com')).status).toBe(404);

      // While the apply runs, the page counts the people applied: the second person's contact is
      // held by this test, so the apply stops there until it lets go.
      const holder = await handoff.runtime.ctx.pool.connect();
      await holder.query('begin');
      await holder.query(`select 1 from contacts where email = 'early-a@example.com' for update`);
      await page.check('input[name=confirm]');
      await page.click('button:has-text("Apply this plan")');
      expect(await text()).toContain('Applying the plan: waiting for its turn.');
      await leaveReloadingPage();
      const applying = handoff.runJobs();
      // Read without navigating: the page that reloads itself while the import runs stays put.
      const progress = async () =>
        (await (await page.request.get(`${base}/import`)).text()).replace(/<[^>]+>|\s+/g, ' ');
      await expect
        .poll(progress, { timeout: 60_000, interval: 200 })
        .toMatch(/Applying the plan: in progress\. +Applied 1 of 3 people\./);
      await holder.query('commit');
      holder.release();
      await applying;

      await page.goto(`${base}/import`);
      expect(await text()).toMatch(/Applied /);
      expect(await text()).not.toContain('Applying the plan');
      expect((await handoff.api('/api/access?email=csv-new@example.com&offering=focus-course')).body).toMatchObject({
        granted: true,
      });
      expect((await handoff.api('/api/access?email=early-a@example.com&offering=community')).body).toMatchObject({
        granted: true,
      });
      expect(
        (await handoff.api('/api/access?email=csv-refunded@example.com&offering=focus-course')).body,
      ).toMatchObject({
        granted: false,
      });
    },
  );

  it('refuses a malformed file with where and what is wrong, and keeps nothing of it', async () => {
    const imports = async () =>
      (await handoff.runtime.ctx.pool.query<{ n: number }>(`select count(*)::int as n from thrivecart_imports`))
        .rows[0]!.n;
    const before = await imports();
    await page.goto(`${base}/import`);
    const unclosed =
      'email,name,item,order_id,status,paid_through\nok@example.com,Ok,product-12,D-1,paid,\n"open@example.com,Open,product-12,D-2,paid,\n';
    await page.setInputFiles('input[name=file]', {
      name: 'broken.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(unclosed),
    });
    await page.click('button:has-text("Plan this file")');
    expect(await text()).toContain(
      'The file was not read, and nothing was kept: line 3: a field opens a double quote (") that is never closed',
    );

    await page.fill('textarea[name=text]', 'email,name,item\nkim@example.com,Kim,product-12\n');
    await page.click('button:has-text("Plan this file")');
    expect(await text()).toContain(
      'The file was not read, and nothing was kept: line 1: missing column(s) status; expected a header row: email,name,item,order_id,status,paid_through',
    );
    expect(await imports()).toBe(before);
    expect((await handoff.api('/api/contacts/ok@example.com')).status).toBe(404);
  });

  it('refuses a form without the CSRF token, and dates it cannot read', async () => {
    const forged = await page.request.post(`${base}/import/plan`, { form: { _csrf: 'forged' } });
    expect(forged.status()).toBe(403);
    await page.goto(`${base}/import`);
    await page.fill('input[name=since]', '2025-06-01');
    await page.fill('input[name=until]', '2025-01-01');
    await page.click('button:has-text("Plan an import")');
    expect(await text()).toContain('"since" 2025-06-01 is after "until" 2025-01-01');
  });
});
