/**
 * The console must never look green while deliveries are refused or CRM syncs fail (issue 13):
 * refused ThriveCart calls are counted durably with the right fix, a CRM connection's state comes
 * from what its syncs did, and a failed resync is an error.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { consoleCookie } from '../support/console-session.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { TEST_ACCOUNT, TEST_SECRET, testConfig } from '../support/test-config.ts';
import { startWithActiveCampaign } from '../crm-sync/crm-sync-harness.ts';

async function pageText(handoff: TestHandoff, cookie: string, url: string): Promise<string> {
  return (await handoff.server.inject({ method: 'GET', url, headers: { cookie } })).body;
}

/** Visible text, tags removed and entities decoded enough for the phrases checked here. */
function visible(htmlText: string): string {
  return htmlText
    .replace(/<[^>]+>/g, ' ')
    .replace(/&quot;/g, '"')
    .replace(/&amp;/g, '&')
    .replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ');
}

describe('refused ThriveCart calls', () => {
  let handoff: TestHandoff;
  afterEach(() => handoff.close());

  it('counts calls refused for the account on Overview and Problems, says to fix the account (not the secret), and remembers them across a restart', async () => {
    const config = testConfig();
    config.thrivecart.account = `${TEST_ACCOUNT}.thrivecart.com`; // the mistake from the issue: the full domain
    handoff = await startTestHandoff({ config });
    const cookie = await consoleCookie(handoff);
    expect(visible(await pageText(handoff, cookie, '/'))).not.toContain('refused this week');

    for (const orderId of ['7001', '7002']) {
      expect((await handoff.send('purchase', { email: 'ada@example.com', orderId })).status).toBe(401);
    }
    await handoff.restart();

    const overview = visible(await pageText(handoff, cookie, '/'));
    expect(overview).toMatch(/2 refused this week/);
    expect(overview).toContain(
      `2 calls had the right secret word but named the account "${TEST_ACCOUNT}", and the configuration says "${TEST_ACCOUNT}.thrivecart.com".`,
    );
    expect(overview).toContain(`Set thrivecart.account to "${TEST_ACCOUNT}"`);
    expect(overview).not.toContain('Copy the secret word again');
    const problems = visible(await pageText(handoff, cookie, '/problems'));
    expect(problems).toContain(`Set thrivecart.account to "${TEST_ACCOUNT}"`);
    for (const text of [overview, problems]) expect(text).not.toContain(TEST_SECRET);
  });

  it('tells a wrong secret word apart, and says when test purchases were ignored', async () => {
    handoff = await startTestHandoff();
    const cookie = await consoleCookie(handoff);
    expect(
      (await handoff.send('purchase', { email: 'ada@example.com', orderId: '7003', secret: 'an old secret word' }))
        .status,
    ).toBe(401);
    expect((await handoff.send('purchase', { email: 'bea@example.com', orderId: '7004', testMode: true })).status).toBe(
      200,
    );

    const problems = visible(await pageText(handoff, cookie, '/problems'));
    expect(problems).toContain('1 call had a secret word that does not match thrivecart.secret.');
    expect(problems).toContain('Copy the secret word again');
    expect(problems).toContain('1 test-mode delivery was stored and ignored this week');
    expect(problems).toContain('set thrivecart.testMode: process');
    expect(problems).not.toContain('an old secret word');
    expect(problems).not.toContain(TEST_SECRET);
    expect(visible(await pageText(handoff, cookie, '/'))).toMatch(/1 refused this week/);
  });
});

describe('CRM connections judged by their syncs', () => {
  let handoff: TestHandoff;
  let fake: FakeCrmServer;
  afterEach(async () => {
    await handoff.close();
    await fake.close();
  });

  it('calls a connection with dead-lettered syncs failing on Overview and Problems, never "working"', async () => {
    ({ handoff, activeCampaign: fake } = await startWithActiveCampaign());
    const cookie = await consoleCookie(handoff);
    // ActiveCampaign answers 422 for a contact it will not take: the sync is dead-lettered at once.
    fake.replyOnce('POST', '/api/3/contact/sync', {
      status: 422,
      json: { errors: [{ title: 'Email address is invalid' }] },
    });
    await handoff.send('purchase', { email: 'ada@example.com', orderId: '7101' });
    await handoff.runJobs();

    const overview = await pageText(handoff, cookie, '/');
    expect(overview).toMatch(
      /<td[^>]*>activecampaign<\/td><td[^>]*><span class="badge bad">failing<\/span><div class="small">1 sync gave up/,
    );
    expect(overview).not.toMatch(/badge ok">(active|working)</);
    const problems = visible(await pageText(handoff, cookie, '/problems'));
    expect(problems).not.toContain('Every CRM connection is working');
    expect(problems).toMatch(/activecampaign failing 1 sync gave up/);
  });

  it('shows a resync that the CRM refused as an error, not as a success', async () => {
    ({ handoff, activeCampaign: fake } = await startWithActiveCampaign());
    const cookie = await consoleCookie(handoff);
    await handoff.send('purchase', { email: 'ada@example.com', orderId: '7102' });
    await handoff.runJobs();
    const remoteId = fake.state.findContactByEmail('ada@example.com')!.id;
    // An answer the connector cannot use (documented for invalid requests: 422 with an errors list).
    handoff.clock.advance(60_000); // the push's requests leave the rate budget's window (the console waits in real time)
    fake.replyOnce('GET', `/api/3/contacts/${remoteId}/contactTags`, {
      status: 422,
      json: { errors: [{ title: 'Unprocessable' }] },
    });

    const contactPage = await pageText(handoff, cookie, '/contacts/ada%40example.com');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(contactPage)![1]!;
    const resync = await handoff.server.inject({
      method: 'POST',
      url: '/contacts/ada%40example.com/resync',
      headers: { cookie },
      payload: { _csrf: csrf },
    });
    const flashCookie = String(resync.headers['set-cookie']).split(';')[0]!;
    const after = await pageText(handoff, `${cookie}; ${flashCookie}`, '/contacts/ada%40example.com');
    expect(after).toMatch(/<div class="flash bad" role="status">Resync failed for activecampaign: /);
  });
});
