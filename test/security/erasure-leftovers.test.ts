import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeForm } from '../../src/adapters/sources/thrivecart/build-body.ts';
import type { Fields } from '../../src/adapters/sources/thrivecart/parse-body.ts';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { consoleCookie } from '../support/console-session.ts';
import { ADMIN_TOKEN, type TestHandoff } from '../support/handoff.ts';
import { everythingStored } from '../support/everything-stored.ts';
import { settleSync, startWithActiveCampaign } from '../crm-sync/crm-sync-harness.ts';
import { testDeliveryFields } from '../support/test-delivery.ts';

/** What identifies Ada in what she (and ThriveCart) sent: none of it may survive her erasure. */
const ADA = {
  email: 'ada@example.com',
  lastName: 'Lovelace',
  phone: '+44 20 7946 0123',
  ip: '198.51.100.77',
  street: '12 Analytical Engine Row',
};

describe('erasure leaves nothing of the person behind', () => {
  let handoff: TestHandoff;
  let activeCampaign: FakeCrmServer;
  let cookie = '';

  beforeAll(async () => {
    ({ handoff, activeCampaign: activeCampaign } = await startWithActiveCampaign());
    cookie = await consoleCookie(handoff, 'amy');
  });
  afterAll(async () => {
    await handoff.close();
    await activeCampaign.close();
  });

  const send = (fields: Fields) =>
    handoff.server.inject({
      method: 'POST',
      url: '/webhooks/thrivecart',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: encodeForm(fields),
    });

  it('scrubs a rejected delivery whose e-mail was typed with spaces and capitals, and strips the e-mail from an erasure job the CRM never took', async () => {
    await handoff.send('purchase', {
      email: ADA.email,
      item: 'product-12',
      orderId: '8101',
      firstName: 'Ada',
      lastName: ADA.lastName,
    });
    await settleSync(handoff);
    expect(activeCampaign.state.findContactByEmail(ADA.email)).toBeDefined();

    // The same person as ThriveCart may send her: e-mail as typed, full details, and an item Handoff cannot read.
    const rejected = testDeliveryFields('purchase', {
      email: '  Ada@Example.COM ',
      item: 'product-12',
      orderId: '8102',
      firstName: 'Ada',
      lastName: ADA.lastName,
    });
    Object.assign(rejected.customer as Fields, {
      contactno: ADA.phone,
      ip_address: ADA.ip,
      address: { line1: ADA.street, city: 'London', country: 'GB' },
    });
    Object.assign(rejected, { purchase_map: ['gizmo-12'] });
    const answer = await send(rejected);
    expect(answer.json()).toMatchObject({ error: 'unusable_delivery' });

    // The CRM is down for good: its erasure job will be given up on.
    activeCampaign.setMode('outage');
    const page = (
      await handoff.server.inject({ method: 'GET', url: '/contacts/ada%40example.com', headers: { cookie } })
    ).body;
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const erase = await handoff.server.inject({
      method: 'POST',
      url: '/contacts/ada%40example.com/erase',
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams({ _csrf: csrf, confirm: ADA.email }).toString(),
    });
    expect(erase.statusCode).toBe(302);
    await settleSync(handoff, 30 * 24 * 3_600_000);

    const problems = await handoff.api<{ deadJobs: { kind: string; key: string; lastError: string | null }[] }>(
      '/api/problems',
    );
    expect(problems.body.deadJobs).toEqual([
      expect.objectContaining({ kind: 'crm.erase:activecampaign', lastError: expect.stringMatching(/503|outage/) }),
    ]);

    const dump = await everythingStored(handoff);
    for (const trace of Object.values(ADA)) expect(dump, trace).not.toContain(trace.toLowerCase());

    // Still retryable by the CRM's own id once the CRM is back.
    activeCampaign.setMode('normal');
    expect(
      (
        await handoff.server.inject({
          method: 'POST',
          url: '/api/jobs/all/retry',
          headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
        })
      ).statusCode,
    ).toBeLessThan(300);
    await settleSync(handoff);
    expect(activeCampaign.state.findContactByEmail(ADA.email)).toBeUndefined();
  }, 60_000);
});
