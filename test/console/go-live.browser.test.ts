/**
 * The go-live checklist (Setup) and Overview's next step, in a real browser (issue 13): every item
 * is checked live and green only on evidence; simulated deliveries do not count as ThriveCart's
 * first; a refused call is failing with the right fix; the round trips are cached until "Check
 * again now"; the page fits a phone.
 */
import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildThriveCartFields,
  encodeForm,
  type SimulateOptions,
} from '../../src/adapters/sources/thrivecart/build-body.ts';
import { SIMULATED_FIELD } from '../../src/adapters/sources/thrivecart/simulated.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../dunning/smtp-receiver.ts';
import { settleSync } from '../crm-sync/crm-sync-harness.ts';
import { openInChromium } from '../support/chromium.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { TEST_ACCOUNT, TEST_SECRET, testConfig } from '../support/test-config.ts';

const ARTIFACTS = 'test-artifacts/screenshots';

describe('the go-live checklist and the first step on Overview', () => {
  let handoff: TestHandoff;
  let smtp: SmtpReceiver;
  let browser: Browser;
  let page: Page;
  let base = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    smtp = await startSmtpReceiver();
    const config = testConfig(`mail:\n  smtp: "${smtp.url}"\n  from: "Focus School <hello@focus.example>"\n`);
    config.crm = [{ provider: 'memory', name: 'reference', apiKey: 'memory' }] as typeof config.crm;
    handoff = await startTestHandoff({ config });
    ({ browser, page, base } = await openInChromium(handoff, { signIn: true }));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await handoff?.close();
    await smtp?.close();
  });

  /** Each checklist row as "title | state | found and what to do". */
  const checklist = async (): Promise<Record<string, { state: string; text: string }>> => {
    const rows = await page.$$eval('table.checklist tr', (trs) =>
      trs.map((tr) => ({
        title: tr.querySelector('th')?.textContent?.trim() ?? '',
        state: tr.getAttribute('data-state') ?? '',
        text: tr.querySelectorAll('td')[1]?.textContent?.replace(/\s+/g, ' ').trim() ?? '',
      })),
    );
    return Object.fromEntries(rows.map((row) => [row.title, { state: row.state, text: row.text }]));
  };
  const post = (fields: Record<string, unknown>) =>
    handoff.server.inject({
      method: 'POST',
      url: '/webhooks/thrivecart',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: encodeForm(fields as ReturnType<typeof buildThriveCartFields>),
    });
  const fields = (options: Partial<SimulateOptions> & { email: string }) =>
    buildThriveCartFields('purchase', {
      account: TEST_ACCOUNT,
      secret: TEST_SECRET,
      item: 'product-12',
      occurredAt: new Date(handoff.clock.now()),
      ...options,
    });

  it('before any delivery: Overview says what to do next, Setup has nothing green without evidence', async () => {
    // A simulated delivery is applied, but it is not ThriveCart's.
    const simulated = await post({ ...fields({ email: 'sim@example.com', orderId: '7001' }), [SIMULATED_FIELD]: '1' });
    expect(simulated.statusCode).toBe(200);

    await page.goto(`${base}/`);
    const banner = await page.textContent('.first-step');
    expect(banner).toContain('Next step: First ThriveCart delivery');
    expect(banner).toContain('Paste the webhook URL into ThriveCart');
    await page.click('.first-step a[href="/setup"]');
    expect(new URL(page.url()).pathname).toBe('/setup');

    const items = await checklist();
    // Set and plausible, but only ThriveCart's first delivery proves the secret matches and the address is reached.
    expect(items['Secret word']!.state).toBe('todo');
    expect(items['Public https address']!.state).toBe('todo');
    expect(items['Public https address']!.text).toContain('its first delivery confirms it gets there');
    expect(items['Test mode']!.state).toBe('ok');
    expect(items['First ThriveCart delivery']!.state).toBe('todo');
    expect(items['First ThriveCart delivery']!.text).toContain('simulated deliveries do not count');
    expect(items['ThriveCart account']!.state).toBe('todo');
    expect(items['CRM round trip: reference']!.state).toBe('ok');
    expect(items['Last sync to reference']!.state).toBe('todo');
    expect(items['SMTP']!.state).toBe('ok');
    expect(items['AccessAlly']!.state).toBe('not-configured');
    expect(await page.textContent('h2')).toMatch(/^\d+ of \d+ done · 1 not configured$/);
  });

  it('a call refused for the wrong account makes the account item failing with the right fix, and Overview leads with it', async () => {
    const refused = await post(fields({ email: 'late@example.com', orderId: '7002', account: 'otherschool' }));
    expect(refused.statusCode).toBe(401);
    await page.goto(`${base}/setup`);
    const items = await checklist();
    expect(items['ThriveCart account']!.state).toBe('failing');
    expect(items['ThriveCart account']!.text).toContain('thrivecart.account');
    expect(items['First ThriveCart delivery']!.state).toBe('failing');
    await page.goto(`${base}/`);
    expect(await page.textContent('.first-step')).toMatch(/Next step: (ThriveCart account|First ThriveCart delivery)/);
  });

  it("after ThriveCart's first delivery and a sync: the banner is gone and those items are ok", async () => {
    handoff.clock.advance(60_000);
    expect((await handoff.send('purchase', { email: 'real@example.com', orderId: '7003' })).status).toBe(200);
    await settleSync(handoff);
    await page.goto(`${base}/`);
    expect(await page.$('.first-step')).toBeNull();
    await page.goto(`${base}/setup`);
    const items = await checklist();
    expect(items['First ThriveCart delivery']!.state).toBe('ok');
    expect(items['Secret word']!.state).toBe('ok');
    expect(items['Public https address']).toEqual({
      state: 'ok',
      text: 'ThriveCart posts to https://handoff.test/webhooks/thrivecart',
    });
    expect(items['ThriveCart account']!.state).toBe('ok');
    expect(items['Last sync to reference']!.state).toBe('ok');
    await page.screenshot({ path: `${ARTIFACTS}/setup-checklist.png`, fullPage: true });
  });

  it('reuses the round trips for a moment, and "Check again now" runs them at once', async () => {
    await smtp.close();
    await page.goto(`${base}/setup`);
    expect((await checklist())['SMTP']!.state).toBe('ok');
    await page.click('text=Check again now');
    const smtpItem = (await checklist())['SMTP']!;
    expect(smtpItem.state).toBe('failing');
    expect(smtpItem.text).toContain('cannot connect to smtp://127.0.0.1');
  });

  it('fits a phone: no sideways scrolling, the states and what to do stay visible', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${base}/setup`);
    const overflow = await page.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await page.isVisible('table.checklist tr[data-state="failing"] .badge')).toBe(true);
    expect(await page.isVisible('text=To do:')).toBe(true);
    await page.screenshot({ path: `${ARTIFACTS}/setup-checklist-phone.png`, fullPage: true });
  });
});
