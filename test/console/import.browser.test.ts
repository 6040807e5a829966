/**
 * The console's Import page in a real browser: start an import of ThriveCart history (the fake of
 * its API, test/support/thrivecart-api-fake.ts), follow its progress, read the plan, and apply it
 * only after confirming; CSRF-checked like every console form.
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

const DAY_MS = 86_400_000;
const API_KEY = 'tc-api-key-for-the-console';

describe('the Import page', () => {
  let handoff: TestHandoff;
  let fake: ThriveCartApiFake;
  let browser: Browser;
  let page: Page;
  let base = '';
  const text = async () => (await page.textContent('main'))?.replace(/\s+/g, ' ') ?? '';

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

    await handoff.runJobs();
    await page.goto(`${base}/import`);
    expect(await text()).toMatch(/Applied /);
    expect(await page.isVisible('button:has-text("Apply this plan")')).toBe(false);
    for (const email of ['early-a@example.com', 'early-b@example.com'])
      expect((await handoff.api(`/api/access?email=${email}&offering=focus-course`)).body).toMatchObject({
        granted: true,
      });
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
