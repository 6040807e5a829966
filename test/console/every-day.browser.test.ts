import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInChromium, signInToConsole } from '../support/chromium.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { startAccessAllySite, type AccessAllySite } from '../support/accessally-site.ts';
import { testConfig } from '../support/test-config.ts';
import { settleSync } from '../crm-sync/crm-sync-harness.ts';

/** The pages a creator reads every day, in a real browser, with the console set to Paris time. */
describe('the console, every day', () => {
  let handoff: TestHandoff;
  let browser: Browser;
  let page: Page;
  let base = '';
  let site: AccessAllySite;

  beforeAll(async () => {
    site = await startAccessAllySite(null);
    const extra = `console:\n  timeZone: Europe/Paris\ncrm:\n  - { provider: memory, name: reference }
accessally:\n  webhookUrl: "${site.url}/?aal_updateuser=handshake"\n`;
    handoff = await startTestHandoff({ config: testConfig(extra) });
    ({ browser, page, base } = await openInChromium(handoff, { signIn: true }));
    await handoff.send('purchase', {
      email: 'bea@example.com',
      item: 'product-12',
      extraItems: ['bump-12'],
      orderId: '9901',
      firstName: 'Bea',
      lastName: 'Buyer',
      amountCents: 4700,
    });
    handoff.clock.advance(3 * 3_600_000);
    await handoff.send('refund', {
      email: 'bea@example.com',
      item: 'bump-12',
      orderId: '9901',
      firstName: 'Bea',
      lastName: 'Buyer',
      refundAmountCents: 1200,
    });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await handoff?.close();
    await site?.close();
  });

  it('lists deliveries with who, what, amount and outcome in words, and leaves hand changes to the contact', async () => {
    await page.goto(`${base}/contacts/bea%40example.com`);
    await page.selectOption('select[name=offering]', 'masterclass');
    await page.fill('input[name=note]', 'speaker at the launch');
    await page.click('text=Apply by hand');

    await page.goto(`${base}/deliveries`);
    const rows = await page.locator('table.deliveries tbody tr').allInnerTexts();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /just now\s+Refund\s+Bea Buyer\s+bea@example\.com\s+Workbook & Templates 12\s+−\$12\.00\s+applied/,
    );
    expect(rows[1]).toMatch(/3 h ago\s+Purchase\s+Bea Buyer/);
    expect(rows[1]).toContain('Course 12 & Community, Workbook & Templates 12');
    expect(await page.textContent('table.deliveries')).not.toContain('by hand');
    // The exact time, in the configured zone, on hover: 9:00 UTC is 10:00 in Paris in November.
    expect(await page.locator('table.deliveries tbody tr').nth(1).locator('time').getAttribute('title')).toBe(
      '2 Nov 2026, 10:00 (Europe/Paris)',
    );

    await page.goto(`${base}/contacts/bea%40example.com`);
    expect(await page.textContent('body')).toContain('Granted Masterclass by hand (Amy: speaker at the launch)');
  });

  it("shows a delivery's summary (who, what, amount, what Handoff did) before the raw body", async () => {
    await page.goto(`${base}/deliveries`);
    await page.locator('table.deliveries tbody tr').nth(1).locator('a').first().click();
    const summary = await page.locator('.summary').innerText();
    expect(summary).toMatch(/Event\s+Purchase/);
    expect(summary).toMatch(/Who\s+Bea Buyer/);
    expect(summary).toMatch(/Amount\s+\$\d+\.\d\d/);
    expect(summary).toContain('Granted access to Focus Course');
    expect(summary).toContain('Added tag Bought Focus');
    const text = await page.innerText('main');
    expect(text.indexOf('What Handoff did')).toBeLessThan(text.indexOf('As received'));
  });

  it("dates the overview's chart in the creator's calendar, and says so when there is no failed payment", async () => {
    await page.goto(`${base}/`);
    const dates = await page.locator('.chart-dates span').allInnerTexts();
    expect(dates).toEqual(['5 Oct', '12 Oct', '19 Oct', '26 Oct', '2 Nov']);
    expect(await page.getAttribute('svg.chart', 'aria-label')).toBe('Purchases: 1, Refunds: 1, Recovered payments: 0');
    await page.goto(`${base}/dunning`);
    expect(await page.locator('.cards').innerText()).toContain('no failed payments yet');
  });

  it("groups tags by reason, links the contact's dunning case, and shows AccessAlly's and each CRM's state with Retry", async () => {
    await handoff.send('purchase', { email: 'cal@example.com', item: 'product-40', orderId: '7701', recurring: true });
    await handoff.send('purchase', { email: 'cal@example.com', item: 'product-12', orderId: '7702' });
    await settleSync(handoff);
    await handoff.send('failed', { email: 'cal@example.com', item: 'product-40', orderId: '7701' });
    const pool = handoff.runtime.ctx.pool;
    const contact = await pool.query<{ id: number }>(`select id from contacts where email = 'cal@example.com'`);
    const contactId = String(contact.rows[0]!.id);
    await pool.query(`delete from jobs where kind = 'crm.sync:reference' and key = $1`, [contactId]);
    const dead = await pool.query<{ id: number }>(
      `insert into jobs (kind, key, run_at, state, attempts, last_error)
       values ('crm.sync:reference', $1, now(), 'dead', 25, 'CRM answered 422: tag name too long') returning id`,
      [contactId],
    );

    await page.goto(`${base}/contacts/cal%40example.com`);
    const tagRows = await page.locator('table.tags tbody tr').allInnerTexts();
    const focus = tagRows.filter((row) => row.includes('Focus - Access'));
    expect(focus).toHaveLength(1);
    expect(focus[0]).toContain('Bought Focus');
    const reasons = tagRows.map((row) => row.split('\t')[1]);
    expect(new Set(reasons).size).toBe(reasons.length);

    const caseLink = page.locator('ul.cases a');
    expect(await caseLink.innerText()).toContain('order 7701');
    const caseHref = (await caseLink.getAttribute('href'))!;
    expect(caseHref).toMatch(/^\/dunning#case-\d+$/);
    await page.goto(`${base}${caseHref}`);
    expect(await page.locator(`tr#${caseHref.split('#')[1]}`).innerText()).toContain('Course 40');

    await page.goto(`${base}/contacts/cal%40example.com`);
    const accessAlly = await page.locator('table.accessally').innerText();
    expect(accessAlly).toMatch(/Last call\s+update call answered/);
    const crm = await page.locator('table.crm').innerText();
    expect(crm).toMatch(/reference\s+failed\s+CRM answered 422: tag name too long\s+Retry/);
    await page.click('table.crm button.retry');
    expect(await page.textContent('.flash')).toBe('Queued again; it runs in a moment.');
    const job = await pool.query(`select state from jobs where id = $1`, [dead.rows[0]!.id]);
    expect(job.rows[0]).toEqual({ state: 'pending' });
  });

  it('keeps the access "why", outcomes and Retry buttons on screen at a phone\'s width', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signInToConsole(phone, base);
    const onScreen = async (selector: string): Promise<void> => {
      const elements = await phone.locator(selector).all();
      expect(elements.length, selector).toBeGreaterThan(0);
      for (const element of elements) {
        expect(await element.isVisible(), selector).toBe(true);
        const box = (await element.boundingBox())!;
        expect(box.x, selector).toBeGreaterThanOrEqual(0);
        expect(box.x + box.width, selector).toBeLessThanOrEqual(390);
      }
    };
    const pool = handoff.runtime.ctx.pool;
    await pool.query(
      `insert into jobs (kind, key, run_at, state, attempts, last_error)
       values ('crm.sync:reference', '0', now(), 'dead', 25, 'CRM answered 422: invalid email')`,
    );
    await phone.goto(`${base}/contacts/bea%40example.com`);
    await onScreen('table.access .why');
    await onScreen('table.tags td:nth-child(2)');
    await phone.goto(`${base}/problems`);
    await onScreen('form[action$="/retry"] button');
    await phone.goto(`${base}/deliveries`);
    await onScreen('table.deliveries .badge');
    await phone.close();
  });

  it("keeps every column's meaning at a phone's width: each cell shows its heading above its value", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await signInToConsole(phone, base);
    /** Each body cell of the page's tables with what shows above it, and the headings of its table. */
    const cellsAndHeadings = () =>
      phone.evaluate<{ heading: string; shown: string; hidden: boolean }[]>(`
        [...document.querySelectorAll('table:has(thead)')].flatMap((table) => {
          const headings = [...table.querySelectorAll('thead th')].map((th) => th.textContent.trim());
          return [...table.querySelectorAll('tbody tr')].flatMap((row) =>
            [...row.querySelectorAll('td')].map((td, index) => ({
              heading: headings[index],
              shown: getComputedStyle(td, '::before').content.replace(/^"|"$/g, ''),
              hidden: getComputedStyle(td).display === 'none',
            })),
          );
        })`);
    for (const path of ['/deliveries', '/contacts', '/dunning', '/problems', '/contacts/bea%40example.com', '/']) {
      await phone.goto(`${base}${path}`);
      const cells = await cellsAndHeadings();
      expect(cells.length, path).toBeGreaterThan(0);
      // A cell a phone shows carries its heading (the Retry column has none); hidden ones are the extras.
      for (const cell of cells.filter((each) => !each.hidden))
        expect(cell.shown, `${path}: ${cell.heading}`).toBe(cell.heading === '' ? 'none' : cell.heading);
    }
    await phone.close();
  });
});
