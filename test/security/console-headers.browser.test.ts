import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openInChromium, recordCspViolations } from '../support/chromium.ts';
import { ADMIN_TOKEN, startTestHandoff, type TestHandoff } from '../support/handoff.ts';

/** Every console page, with data on it (a contact, a delivery, a dunning case). */
const PAGES = [
  '/',
  '/contacts',
  '/contacts/bea%40example.com',
  '/teams',
  '/deliveries',
  '/deliveries/1',
  '/dunning',
  '/webhooks',
  '/problems',
  '/setup',
];

describe('the console under its Content-Security-Policy, in Chromium', () => {
  let handoff: TestHandoff;
  let browser: Browser;
  let page: Page;
  let base = '';
  const violations: string[] = [];

  beforeAll(async () => {
    handoff = await startTestHandoff();
    ({ browser, page, base } = await openInChromium(handoff));
    await handoff.send('purchase', {
      email: 'bea@example.com',
      item: 'product-40',
      recurring: true,
      orderId: '9901',
      firstName: 'Bea',
      lastName: 'Buyer',
    });
    await handoff.send('failed', { email: 'bea@example.com', item: 'product-40', orderId: '9901' });
    recordCspViolations(page, violations);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await handoff?.close();
  });

  it('does not follow a next= that a browser would read as another site, after a real login', async () => {
    await page.goto(`${base}/login?next=${encodeURIComponent('/\\evil.example')}`);
    await page.fill('input[name=secret]', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).origin).toBe(new URL(base).origin);
    expect(new URL(page.url()).pathname).toBe('/');
  });

  it('renders every page styled, with no CSP violation, and sends the security headers', async () => {
    for (const path of PAGES) {
      const response = await page.goto(`${base}${path}`);
      expect(response!.status(), path).toBe(200);
      const headers = response!.headers();
      expect(headers['content-security-policy'], path).toMatch(/frame-ancestors 'none'/);
      expect(headers['content-security-policy'], path).toMatch(/default-src 'none'/);
      expect(headers['x-content-type-options'], path).toBe('nosniff');
      expect(headers['referrer-policy'], path).toBe('same-origin');
      expect(headers['cache-control'], path).toBe('no-store');
      // The inline stylesheet was applied (its digest is in the policy): the page background is the console's grey.
      expect(
        await page
          .locator('body')
          .evaluate((body) => body.ownerDocument.defaultView!.getComputedStyle(body).backgroundColor),
        path,
      ).toBe('rgb(246, 247, 249)');
    }
    expect(violations).toEqual([]);
  });

  it('keeps the pages out of frames', async () => {
    const framing = await browser.newPage();
    const blocked: string[] = [];
    framing.on('console', (message) => {
      if (/frame-ancestors|refused to display|Content Security Policy/i.test(message.text()))
        blocked.push(message.text());
    });
    // A page of no origin (about:blank, no policy of its own) tries to frame the login page.
    await framing.setContent(`<iframe src="${base}/login"></iframe>`);
    await expect.poll(() => blocked.length, { timeout: 10_000 }).toBeGreaterThan(0);
    await framing.close();
  });

  it('the JSON API also says nosniff and no-store', async () => {
    const answer = await fetch(`${base}/api/contacts/bea%40example.com`, {
      headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    });
    expect(answer.status).toBe(200);
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    expect(answer.headers.get('cache-control')).toBe('no-store');
  });
});
