import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInChromium } from '../support/chromium.ts';
import { ADMIN_TOKEN, startTestHandoff, type TestHandoff } from '../support/handoff.ts';

const ARTIFACTS = 'test-artifacts/screenshots';

/** A creator's assistant, in a real browser: log in, find a buyer, fix a failed delivery and a dead job, log out. */
describe('the console in a browser', () => {
  let handoff: TestHandoff;
  let browser: Browser;
  let page: Page;
  let base = '';

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    handoff = await startTestHandoff();
    ({ browser, page, base } = await openInChromium(handoff));
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await handoff?.close();
  });

  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

  it('sends a visitor to the login page, refuses a wrong token and lets the right one in with an HttpOnly cookie', async () => {
    await page.goto(`${base}/contacts`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await shot('login');
    await page.fill('input[name=secret]', 'not the token');
    await page.click('button[type=submit]');
    await expect(page.textContent('.flash')).resolves.toContain('did not match');
    await page.fill('input[name=secret]', ADMIN_TOKEN);
    await page.fill('input[name=name]', 'Amy');
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/contacts');
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: 'handoff_session', httpOnly: true, sameSite: 'Lax' });
  });

  it('finds the contact a purchase created and shows access, tags and the timeline', async () => {
    await handoff.send('purchase', {
      email: 'buyer@example.com',
      item: 'product-12',
      extraItems: ['bump-12'],
      orderId: '9901',
      firstName: 'Bea',
      lastName: 'Buyer',
    });
    await page.goto(`${base}/contacts`);
    await page.fill('input[name=q]', 'bea');
    await page.click('form[action="/contacts"] button');
    await page.click('text=buyer@example.com');
    expect(decodeURIComponent(new URL(page.url()).pathname)).toBe('/contacts/buyer@example.com');
    const access = await page.textContent('table');
    expect(access).toContain('Focus Course');
    expect(access).toContain('granted');
    expect(await page.textContent('body')).toContain(
      'in order 9901: access to Focus Course granted, access to Focus Workbook granted',
    );
    await shot('contact');
  });

  it('revokes an offering by hand, recorded with who and why', async () => {
    await page.selectOption('select[name=offering]', 'focus-workbook');
    await page.selectOption('select[name=action]', 'revoke');
    await page.fill('input[name=note]', 'asked for a refund by email');
    await page.click('text=Apply by hand');
    expect(await page.textContent('.flash')).toBe('Revoked Focus Workbook.');
    expect(await page.textContent('body')).toContain(
      'Revoked Focus Workbook by hand (Amy: asked for a refund by email)',
    );
    expect((await handoff.api('/api/access?email=buyer@example.com&offering=focus-workbook')).body).toMatchObject({
      granted: false,
    });
  });

  it('replays a delivery that failed, from its page', async () => {
    const pool = handoff.runtime.ctx.pool;
    await pool.query(
      `create function refuse_contact() returns trigger language plpgsql as $$ begin raise exception 'contacts are read-only today'; end $$`,
    );
    await pool.query(
      `create trigger refuse_contact before insert on contacts for each row execute function refuse_contact()`,
    );
    const failed = await handoff.send('purchase', {
      email: 'unlucky@example.com',
      item: 'product-12',
      orderId: '9902',
    });
    await pool.query('drop trigger refuse_contact on contacts');
    expect(failed.body.status).toBe('failed');

    await page.goto(`${base}/deliveries?status=failed`);
    await shot('deliveries-failed');
    await page.click(`a[href="/deliveries/${String(failed.body.deliveryId)}"]`);
    expect(await page.textContent('body')).toContain('contacts are read-only today');
    await page.click('text=Replay this delivery');
    expect(await page.textContent('.flash')).toBe('Replayed: applied.');
    expect((await handoff.api('/api/access?email=unlucky@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
  });

  it('retries a dead-lettered job from the problems page', async () => {
    const pool = handoff.runtime.ctx.pool;
    const dead = await pool.query<{ id: number }>(
      `insert into jobs (kind, key, run_at, state, attempts, last_error) values ('contact.recompute', '424242', now(), 'dead', 25, 'CRM answered 422: invalid email') returning id`,
    );
    await page.goto(`${base}/problems`);
    expect(await page.textContent('body')).toContain('CRM answered 422: invalid email');
    await shot('problems');
    await page.click(`form[action="/problems/jobs/${dead.rows[0]!.id}/retry"] button`);
    expect(await page.textContent('.flash')).toBe(`Job ${dead.rows[0]!.id} is queued again.`);
    const job = await pool.query(`select state, attempts from jobs where id = $1`, [dead.rows[0]!.id]);
    expect(job.rows[0]).toEqual({ state: 'pending', attempts: 0 });
  });

  it('shows the overview, dunning and setup pages, the setup page without secrets', async () => {
    for (const [path, name] of [
      ['/', 'overview'],
      ['/dunning', 'dunning'],
      ['/setup', 'setup'],
    ] as const) {
      const response = await page.goto(`${base}${path}`);
      expect(response?.status()).toBe(200);
      await shot(name);
    }
    const setup = await page.textContent('body');
    expect(setup).toContain('https://handoff.test/webhooks/thrivecart');
    expect(setup).not.toContain(handoff.runtime.ctx.config.thrivecart.secret);
  });

  it('refuses a change without the CSRF token, and logs out', async () => {
    // With the session cookie but without the form's token (the console's CSP stops a page script's own fetch, so the browser context's client sends it).
    const forged = await page.context().request.post(`${base}/contacts/buyer%40example.com/access`, {
      form: { offering: 'focus-course', action: 'revoke', note: 'x' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    await page.click('text=Log out');
    expect(new URL(page.url()).pathname).toBe('/login');
    await page.goto(`${base}/`);
    expect(new URL(page.url()).pathname).toBe('/login');
  });

  it('fits a phone screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 } });
    await phone.goto(`${base}/login`);
    await phone.fill('input[name=secret]', ADMIN_TOKEN);
    await phone.click('button[type=submit]');
    await phone.goto(`${base}/contacts/buyer%40example.com`);
    const overflow = await phone.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    await phone.screenshot({ path: `${ARTIFACTS}/contact-phone.png`, fullPage: true });
    await phone.close();
  });
});
