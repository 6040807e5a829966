import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildThriveCartFields,
  encodeForm,
  encodeJson,
  type SimulatedEvent,
} from '../../src/adapters/sources/thrivecart/build-body.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { TEST_ACCOUNT, TEST_SECRET } from '../support/test-config.ts';
import { testDeliveryFields } from '../support/test-delivery.ts';

/** Row counts of every table a delivery can touch: "nothing stored" means none of these moved. */
async function rowCounts(handoff: TestHandoff): Promise<Record<string, number>> {
  const result = await handoff.runtime.ctx.pool.query<{ deliveries: number; contacts: number; jobs: number }>(
    `select (select count(*) from deliveries)::int as deliveries, (select count(*) from contacts)::int as contacts, (select count(*) from jobs)::int as jobs`,
  );
  return result.rows[0]!;
}

async function post(
  handoff: TestHandoff,
  payload: string,
  contentType: string,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await handoff.server.inject({
    method: 'POST',
    url: '/webhooks/thrivecart',
    headers: { 'content-type': contentType },
    payload,
  });
  return { status: response.statusCode, body: response.json() };
}

describe('ThriveCart intake', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff();
  });
  afterAll(() => handoff.close());

  it('answers 200 to HEAD and GET so ThriveCart can save the URL', async () => {
    expect((await handoff.server.inject({ method: 'HEAD', url: '/webhooks/thrivecart' })).statusCode).toBe(200);
    expect((await handoff.server.inject({ method: 'GET', url: '/webhooks/thrivecart' })).statusCode).toBe(200);
  });

  describe.each(['form', 'json'] as const)('every event type, %s encoding', (encoding) => {
    const email = `every-${encoding}@example.com`;
    const orderId = encoding === 'form' ? '7101' : '7102';
    const cases: [SimulatedEvent, Record<string, unknown>, string, string | null][] = [
      ['purchase', { item: 'product-40', recurring: true }, 'applied', null],
      ['renewal', { item: 'product-40', paymentIndex: 1 }, 'applied', null],
      ['failed', { item: 'product-40' }, 'applied', null],
      ['pause', { item: 'product-40' }, 'applied', null],
      ['resume', { item: 'product-40' }, 'applied', null],
      ['refund', { item: 'product-40', refundAmountCents: 100 }, 'applied', null],
      ['cancel', { item: 'product-40' }, 'applied', null],
      ['customer_updated', { item: 'product-40' }, 'applied', null],
      ['abandoned', {}, 'ignored', 'abandoned cart'],
      ['affiliate', {}, 'ignored', 'affiliate event'],
    ];
    it.each(cases)('%s is stored and %s', async (event, options, status, reason) => {
      handoff.clock.advance(60_000);
      const sent = await handoff.send(event, { email, orderId, ...options }, encoding);
      expect(sent.status).toBe(200);
      expect(sent.body).toMatchObject({ status, reason });
      const stored = await handoff.api(`/api/deliveries/${String(sent.body.deliveryId)}`);
      expect(stored.body).toMatchObject({ status, eventName: expect.any(String) });
      expect(JSON.stringify(stored.body)).not.toContain(TEST_SECRET);
    });
  });

  it('keeps an unconfigured item and a test-mode event with the reason, changing no access', async () => {
    const unconfigured = await handoff.send('purchase', {
      email: 'other@example.com',
      item: 'product-99',
      orderId: '7201',
    });
    expect(unconfigured.body).toMatchObject({
      status: 'ignored',
      reason: 'no configured item in this order (product-99)',
    });
    const testMode = await handoff.send('purchase', {
      email: 'tester@example.com',
      item: 'product-12',
      orderId: '7202',
      testMode: true,
    });
    expect(testMode.body).toMatchObject({ status: 'ignored', reason: expect.stringContaining('test-mode') });
    expect((await handoff.api('/api/contacts/tester@example.com')).status).toBe(404);
    expect((await handoff.api('/api/contacts/other@example.com')).status).toBe(404);
  });

  it('refuses a wrong secret or a wrong account with 401 and stores nothing', async () => {
    const before = await rowCounts(handoff);
    for (const [account, secret] of [
      [TEST_ACCOUNT, 'wrong secret'],
      ['someone-else', TEST_SECRET],
      [TEST_ACCOUNT, ''],
    ]) {
      const fields = buildThriveCartFields('purchase', {
        account: account!,
        secret: secret!,
        email: 'mallory@example.com',
        item: 'product-12',
      });
      const response = await post(handoff, encodeForm(fields), 'application/x-www-form-urlencoded');
      expect(response.status).toBe(401);
      expect(JSON.stringify(response.body)).not.toContain(TEST_SECRET);
    }
    expect(await rowCounts(handoff)).toEqual(before);
  });

  it('answers a malformed body with 400 and a reason, an oversized one with 413, another content type with 415, and stores nothing', async () => {
    const before = await rowCounts(handoff);
    const malformed = await post(handoff, '{"event": "order.success", ', 'application/json');
    expect(malformed).toMatchObject({ status: 400, body: { error: 'malformed_body', message: expect.any(String) } });
    const polluted = await post(
      handoff,
      `__proto__[admin]=1&thrivecart_secret=${encodeURIComponent(TEST_SECRET)}`,
      'application/x-www-form-urlencoded',
    );
    expect(polluted.status).toBe(400);
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
    const huge = await post(
      handoff,
      `event=order.success&padding=${'x'.repeat(70 * 1024)}`,
      'application/x-www-form-urlencoded',
    );
    expect(huge).toMatchObject({ status: 413, body: { error: 'body_too_large' } });
    const xml = await post(handoff, '<event>order.success</event>', 'application/xml');
    expect(xml).toMatchObject({ status: 415, body: { error: 'unsupported_media_type' } });
    expect(await rowCounts(handoff)).toEqual(before);
  });

  it('stores an authentic but unusable delivery as rejected and answers 422 with the field at fault', async () => {
    const fields = testDeliveryFields('refund', {
      email: 'broken@example.com',
      item: 'product-12',
    });
    delete (fields.refund as Record<string, unknown>).type;
    const response = await post(handoff, encodeJson(fields), 'application/json');
    expect(response.status).toBe(422);
    expect(response.body.message).toMatch(/refund\[type\]/);
    const rejected = await handoff.api<{ deliveries: { status: string }[] }>('/api/deliveries?status=rejected');
    expect(rejected.body.deliveries).toHaveLength(1);
  });

  it('accepts content types with parameters, as PHP senders write them', async () => {
    const fields = testDeliveryFields('purchase', {
      email: 'charset@example.com',
      item: 'product-12',
      orderId: '7250',
    });
    expect(
      (await post(handoff, encodeForm(fields), 'application/x-www-form-urlencoded; charset=UTF-8')).body.status,
    ).toBe('applied');
    const json = testDeliveryFields('purchase', {
      email: 'charset@example.com',
      item: 'product-12',
      orderId: '7251',
    });
    expect((await post(handoff, encodeJson(json), 'application/json; charset=utf-8')).body.status).toBe('applied');
  });

  it('answers a re-sent identical delivery as a duplicate without applying it twice, in either encoding', async () => {
    const fields = testDeliveryFields('purchase', {
      email: 'twice@example.com',
      item: 'product-12',
      orderId: '7301',
    });
    const first = await post(handoff, encodeForm(fields), 'application/x-www-form-urlencoded');
    const again = await post(handoff, encodeForm(fields), 'application/x-www-form-urlencoded');
    const asJson = await post(handoff, encodeJson(fields), 'application/json');
    expect(first.body.status).toBe('applied');
    expect(again.body).toMatchObject({ status: 'duplicate', deliveryId: first.body.deliveryId });
    expect(asJson.body).toMatchObject({ status: 'duplicate', deliveryId: first.body.deliveryId });
  });

  it('keeps renewals, repeated failures and several refunds on one order as distinct events', async () => {
    const email = 'distinct@example.com';
    const orderId = '7401';
    await handoff.send('purchase', { email, orderId, item: 'product-40', recurring: true });
    const statuses: unknown[] = [];
    for (const [event, options] of [
      ['renewal', { paymentIndex: 1 }],
      ['renewal', { paymentIndex: 2 }],
      ['failed', {}],
      ['failed', {}],
      ['refund', { refundAmountCents: 500 }],
      ['refund', { refundAmountCents: 700 }],
    ] as const) {
      handoff.clock.advanceDays(1);
      statuses.push((await handoff.send(event, { email, orderId, item: 'product-40', ...options })).body.status);
    }
    expect(statuses).toEqual(['applied', 'applied', 'applied', 'applied', 'applied', 'applied']);
  });

  it('keeps an 18-digit customer id exact and follows an email change to the same contact', async () => {
    const customerId = '429583657727489355';
    await handoff.send('purchase', {
      email: 'old@example.com',
      customerId,
      orderId: '7501',
      firstName: 'Grace',
      lastName: 'Hopper',
    });
    handoff.clock.advanceDays(1);
    const update = await handoff.send('customer_updated', {
      email: 'old@example.com',
      newEmail: 'New@Example.com',
      customerId,
      firstName: ' ',
      lastName: ' ',
    });
    expect(update.body.status).toBe('applied');
    expect((await handoff.api('/api/contacts/old@example.com')).status).toBe(404);
    const contact = await handoff.api('/api/contacts/new@example.com');
    expect(contact.body).toMatchObject({
      email: 'new@example.com',
      thrivecartCustomerId: customerId,
      name: 'Grace Hopper',
    });
    const access = await handoff.api('/api/access?email=new@example.com&offering=focus-course');
    expect(access.body).toMatchObject({ granted: true });
  });

  it('answers the API only with the admin token, and with JSON errors', async () => {
    const anonymous = await handoff.server.inject({ method: 'GET', url: '/api/contacts/ada@example.com' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ error: 'unauthorized' });
    expect((await handoff.api('/api/access?email=x@example.com&offering=nope')).status).toBe(404);
    expect((await handoff.api('/api/access?email=x@example.com')).status).toBe(400);
    expect((await handoff.api('/api/access?email=nobody@example.com&offering=focus-course')).body).toMatchObject({
      granted: false,
      until: null,
    });
    const health = await handoff.server.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok', database: 'up' });
  });
});
