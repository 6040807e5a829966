import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { openInChromium, recordCspViolations } from '../support/chromium.ts';
import { ADMIN_TOKEN, PUBLIC_URL, startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { TEST_ACCOUNT, TEST_SECRET } from '../support/test-config.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../dunning/smtp-receiver.ts';

const ARTIFACTS = 'test-artifacts/screenshots';
const LEADER = 'ada@example.com';

/** A team plan of two seats (the leader takes none), mail through the test's SMTP receiver. */
function teamConfigYaml(smtpUrl: string): string {
  return `
thrivecart: { account: ${TEST_ACCOUNT}, secret: "${TEST_SECRET}" }
offerings:
  - { id: inner-circle, name: Inner Circle, accessTag: "Inner Circle - Access", revokeTag: "Inner Circle - Revoke" }
items:
  - { item: product-40, grants: [inner-circle], onCancel: end-of-period, team: { seats: 2 } }
mail:
  smtp: ${smtpUrl}
  from: "Focus School <hello@focusschool.test>"
`;
}

/**
 * The team plan's lifecycle through the pages people use: a purchase through the HTTP intake, the
 * leader's e-mail received over SMTP, their page opened from its link in Chromium (no console
 * login), members added and removed there, access answered by the access API; a member leaving
 * through their own link; then the admin's console (a pasted CSV, a resize below the members,
 * moving the leader) and the leader's page at phone width.
 */
describe('team pages in a browser', () => {
  let handoff: TestHandoff;
  let smtp: SmtpReceiver;
  let browser: Browser;
  let page: Page;
  let base = '';
  let leaderPath = '';
  const violations: string[] = [];

  beforeAll(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    smtp = await startSmtpReceiver();
    handoff = await startTestHandoff({ config: parseConfig(teamConfigYaml(smtp.url), 'team-test.yaml', {}) });
    ({ browser, page, base } = await openInChromium(handoff));
    recordCspViolations(page, violations);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await handoff?.close();
    await smtp?.close();
  });

  const shot = (name: string): Promise<Buffer> => page.screenshot({ path: `${ARTIFACTS}/${name}.png`, fullPage: true });

  /** The team link in the last e-mail to `to`, as a path on this test's server (the e-mail names the public URL). */
  function linkMailedTo(to: string): string {
    const email = smtp.received.filter((received) => received.to.includes(to)).at(-1);
    const link = email?.text.match(/https?:\/\/\S+\/team\/\S+/)?.[0];
    if (!link) throw new Error(`no team link e-mailed to ${to}`);
    return new URL(link).pathname;
  }

  async function granted(email: string): Promise<boolean> {
    await handoff.runJobs();
    const answer = await handoff.api<{ granted: boolean }>(`/api/access?email=${email}&offering=inner-circle`);
    return answer.body.granted;
  }

  async function addOnLeaderPage(email: string): Promise<void> {
    await page.fill('input[name=email]', email);
    await page.click('text=Add to the team');
  }

  it('e-mails the leader a link to their team page at purchase, which opens without a login', async () => {
    const purchase = await handoff.send('purchase', {
      email: LEADER,
      item: 'product-40',
      recurring: true,
      orderId: '9901',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    expect(purchase.status).toBe(200);
    await handoff.runJobs();
    const email = smtp.received.find((received) => received.to.includes(LEADER));
    expect(email?.subject).toBe('Your team page for Inner Circle');
    expect(email?.text).toContain('2 seats');
    leaderPath = linkMailedTo(LEADER);

    const response = await page.goto(`${base}${leaderPath}`);
    expect(response?.status()).toBe(200);
    expect(new URL(page.url()).pathname).toBe(leaderPath);
    expect(await page.textContent('h1')).toContain("Ada Lovelace's team");
    expect(await page.textContent('.cards')).toContain('0 / 2');
    await shot('team-leader-page');
  });

  it('refuses an altered link, saying nothing about the team', async () => {
    const altered = `${leaderPath.slice(0, -3)}${leaderPath.endsWith('AAA') ? 'BBB' : 'AAA'}`;
    const response = await page.goto(`${base}${altered}`);
    expect(response?.status()).toBe(404);
    expect(await page.textContent('body')).not.toContain('Ada');
  });

  it('lets the leader add members, who get access, with clear refusals', async () => {
    await page.goto(`${base}${leaderPath}`);
    await addOnLeaderPage('grace@example.com');
    expect(await page.textContent('.flash')).toBe('Added grace@example.com.');
    expect(await granted('grace@example.com')).toBe(true);

    await addOnLeaderPage('grace@example.com');
    expect(await page.textContent('#add-error')).toMatch(/already/i);

    // The browser would refuse this address itself; the page must too, without it.
    await page.evaluate(`document.querySelector('form[action$="/members"]').noValidate = true`);
    await addOnLeaderPage('not-an-address');
    expect(await page.textContent('#add-error')).toMatch(/e-mail|address/i);
    expect(await page.inputValue('input[name=email]')).toBe('not-an-address');

    await addOnLeaderPage('lin@example.com');
    expect(await page.textContent('.cards')).toContain('2 / 2');
    await addOnLeaderPage('bob@example.com');
    expect(await page.textContent('#add-error')).toMatch(/seat/i);
    expect(await granted('bob@example.com')).toBe(false);
    await shot('team-leader-page-full');
  });

  it('frees a removed member’s seat at once, and the seat is reused', async () => {
    await page.click('button[aria-label="Remove lin@example.com"]');
    expect(await page.textContent('.flash')).toBe('Removed lin@example.com; their seat is free.');
    expect(await page.textContent('.cards')).toContain('1 / 2');
    expect(await granted('lin@example.com')).toBe(false);

    await addOnLeaderPage('bob@example.com');
    expect(await page.textContent('.flash')).toBe('Added bob@example.com.');
    expect(await granted('bob@example.com')).toBe(true);
  });

  it('lets a member leave through their own e-mailed link, which then opens nothing', async () => {
    await handoff.runJobs();
    const memberPath = linkMailedTo('bob@example.com');
    await page.goto(`${base}${memberPath}`);
    expect(await page.textContent('body')).toContain('You are on this team as bob@example.com');
    expect(await page.$('input[name=email]')).toBeNull();
    await page.click('text=Leave the team');
    expect(await page.textContent('h1')).toContain('You left');
    expect(await granted('bob@example.com')).toBe(false);
    expect((await page.goto(`${base}${memberPath}`))?.status()).toBe(404);
  });

  it('refuses a post from another site', async () => {
    const forged = await page.context().request.post(`${base}${leaderPath}/members`, {
      form: { email: 'mallory@example.com' },
      headers: { origin: 'https://evil.example' },
      maxRedirects: 0,
    });
    expect(forged.status()).toBe(403);
    expect(await granted('mallory@example.com')).toBe(false);
  });

  it('fits a phone screen', async () => {
    const phone = await browser.newPage({ viewport: { width: 375, height: 740 } });
    await phone.goto(`${base}${leaderPath}`);
    const overflow = await phone.evaluate<number>(
      'document.documentElement.scrollWidth - document.documentElement.clientWidth',
    );
    expect(overflow).toBeLessThanOrEqual(0);
    expect(await phone.isVisible('text=Add to the team')).toBe(true);
    await phone.screenshot({ path: `${ARTIFACTS}/team-leader-phone.png`, fullPage: true });
    await phone.close();
  });

  it('gives the admin the teams list and the pool page: CSV pasted and uploaded, a resize below the members that evicts nobody, the leader moved', async () => {
    await page.goto(`${base}/login?next=/teams`);
    await page.fill('input[name=secret]', ADMIN_TOKEN);
    await page.click('button[type=submit]');
    expect(new URL(page.url()).pathname).toBe('/teams');
    const row = await page.textContent('table');
    expect(row).toContain("Ada Lovelace's team");
    expect(row).toContain('9901');
    expect(row).toContain('1 / 2');
    await page.click("text=Ada Lovelace's team");
    expect(await page.inputValue('#leader-link')).toBe(`${PUBLIC_URL}${leaderPath}`);

    await page.fill('textarea[name=list]', 'Name,Email\nKim,kim@example.com\nZoe,zoe@example.com\nnobody here');
    await page.click('text=Add everyone listed');
    const flash = await page.textContent('.flash');
    expect(flash).toContain('Added 1.');
    expect(flash).toContain('zoe@example.com');
    expect(flash).toContain('line(s) 4');
    expect(await granted('kim@example.com')).toBe(true);
    expect(await granted('zoe@example.com')).toBe(false);

    // Fewer seats than members: nobody is evicted by it, and nobody more can be added.
    await page.fill('input[name=seats]', '1');
    await page.click('text=Resize');
    expect(await page.textContent('.flash')).toContain('nobody was removed');
    expect(await page.textContent('.cards')).toContain('2 / 1');
    expect(await granted('grace@example.com')).toBe(true);
    expect(await granted('kim@example.com')).toBe(true);
    await page.fill('input[placeholder="member\'s e-mail"]', 'zoe@example.com');
    await page.click('form[action$="/members"] button');
    expect(await page.getAttribute('.flash', 'class')).toContain('bad');
    expect(await granted('zoe@example.com')).toBe(false);

    await page.fill('input[name=seats]', '3');
    await page.click('text=Resize');
    expect(await page.textContent('.cards')).toContain('2 / 3');
    expect(await page.textContent('body')).toContain('resized from 1 to 3 seats');

    await page.setInputFiles('input[name=file]', {
      name: 'team.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from('Email;Name\r\nzoe@example.com;Zoe\r\n'),
    });
    await page.click('text=Add everyone listed');
    expect(await page.textContent('.flash')).toBe('Added 1.');
    expect(await granted('zoe@example.com')).toBe(true);
    expect(await page.textContent('.cards')).toContain('3 / 3');
    await shot('team-console-pool');

    await page.fill('input[placeholder="new leader\'s e-mail"]', 'grace@example.com');
    await page.click('text=Move the leader role');
    expect(await page.textContent('.flash')).toContain('grace@example.com leads the team now');
    await handoff.runJobs();
    const gracePath = linkMailedTo('grace@example.com');
    expect(gracePath).not.toBe(leaderPath);
    expect((await page.goto(`${base}${leaderPath}`))?.status()).toBe(404);
    expect((await page.goto(`${base}${gracePath}`))?.status()).toBe(200);
    expect(await page.textContent('.cards')).toContain('3 / 3');
  });

  it('replaces a leaked leader link: the old one opens nothing, the new one is e-mailed', async () => {
    const oldPath = linkMailedTo('grace@example.com');
    await page.goto(`${base}/teams`);
    await page.click('table a[href^="/teams/"]');
    expect(await page.inputValue('#leader-link')).toBe(`${PUBLIC_URL}${oldPath}`);
    await page.click('text=Issue a new link');
    expect(await page.textContent('.flash')).toContain('the old one no longer opens the team');
    const newPath = new URL(await page.inputValue('#leader-link')).pathname;
    expect(newPath).not.toBe(oldPath);
    await page.click('text=E-mail it to the leader');
    expect(await page.textContent('.flash')).toContain('on its way to grace@example.com');
    await handoff.runJobs();
    expect(linkMailedTo('grace@example.com')).toBe(newPath);
    expect((await page.goto(`${base}${oldPath}`))?.status()).toBe(404);
    expect((await page.goto(`${base}${newPath}`))?.status()).toBe(200);
  });

  it('tells the leader when the plan gives no access, and members lose it with the payer', async () => {
    await handoff.send('refund', { email: LEADER, item: 'product-40', recurring: true, orderId: '9901' });
    expect(await granted('kim@example.com')).toBe(false);
    const gracePath = linkMailedTo('grace@example.com');
    await page.goto(`${base}${gracePath}`);
    expect(await page.textContent('[role=alert]')).toContain('gives no access right now');
  });

  it('shows the teams on the contact page, and no page broke its CSP', async () => {
    await page.goto(`${base}/contacts/kim%40example.com`);
    expect(await page.textContent('body')).toContain('member of');
    expect(violations).toEqual([]);
  });
});
