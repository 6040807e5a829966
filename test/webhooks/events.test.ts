import { Webhook } from 'standardwebhooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { startReceiver, type Receiver } from './receiver.ts';
import { configWithEndpoint, eventOf, SITE_SECRET } from './webhook-config.ts';

const ADA = 'ada@example.com';
const CUSTOMER = '429583657727489355';

describe('signed webhooks to a membership site', () => {
  let receiver: Receiver;
  let handoff: TestHandoff;
  /** Events received since the last call, verified with the standardwebhooks library. */
  const verifiedSince = (() => {
    let seen = 0;
    return () => {
      const fresh = receiver.received.slice(seen);
      seen = receiver.received.length;
      return fresh.map((webhook) => {
        new Webhook(SITE_SECRET).verify(webhook.body, webhook.headers);
        return eventOf(webhook.body);
      });
    };
  })();

  beforeAll(async () => {
    receiver = await startReceiver();
    // Signatures carry the attempt's time and the library checks it against the real clock (±5 min).
    handoff = await startTestHandoff({ config: configWithEndpoint(receiver.url), clock: new FakeClock(Date.now()) });
  });
  afterAll(async () => {
    await handoff.close();
    await receiver.close();
  });

  it('sends access.granted for a purchase, signed per Standard Webhooks', async () => {
    await handoff.send('purchase', {
      email: ADA,
      customerId: CUSTOMER,
      firstName: 'Ada',
      lastName: 'Lovelace',
      orderId: '5001',
    });
    expect(receiver.received).toHaveLength(0);
    await handoff.runJobs();

    const [webhook] = receiver.received;
    expect(webhook!.headers['webhook-id']).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
    expect(webhook!.headers['webhook-timestamp']).toBe(String(Math.floor(handoff.clock.now() / 1000)));
    expect(webhook!.headers['webhook-signature']).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(webhook!.headers['content-type']).toBe('application/json');
    expect(verifiedSince()).toEqual([
      {
        type: 'access.granted',
        timestamp: new Date(handoff.clock.now()).toISOString(),
        data: {
          contactId: expect.any(Number),
          email: ADA,
          name: 'Ada Lovelace',
          offering: { id: 'focus-course', name: 'Focus Course' },
          until: null,
          reason: expect.any(String),
        },
      },
    ]);
  });

  it('refuses a tampered body or another secret', () => {
    const [webhook] = receiver.received;
    expect(() => new Webhook(SITE_SECRET).verify(webhook!.body.replace('Ada', 'Eve'), webhook!.headers)).toThrow();
    expect(() =>
      new Webhook('whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').verify(webhook!.body, webhook!.headers),
    ).toThrow();
  });

  it('sends access.revoked for a refund', async () => {
    handoff.clock.advance(60_000);
    await handoff.send('refund', {
      email: ADA,
      customerId: CUSTOMER,
      orderId: '5001',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    await handoff.runJobs();
    expect(verifiedSince()).toEqual([
      expect.objectContaining({
        type: 'access.revoked',
        data: expect.objectContaining({
          email: ADA,
          offering: { id: 'focus-course', name: 'Focus Course' },
          until: null,
        }),
      }),
    ]);
  });

  it('sends contact.updated with the previous email when the email changes', async () => {
    handoff.clock.advance(60_000);
    await handoff.send('customer_updated', {
      email: ADA,
      newEmail: 'ada@newmail.example',
      customerId: CUSTOMER,
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    await handoff.runJobs();
    expect(verifiedSince()).toEqual([
      expect.objectContaining({
        type: 'contact.updated',
        data: expect.objectContaining({ email: 'ada@newmail.example', previousEmail: ADA, name: 'Ada Lovelace' }),
      }),
    ]);
  });

  it('sends dunning.opened on a failed renewal and dunning.closed when it is paid', async () => {
    const grace = await (async () => {
      handoff.clock.advance(60_000);
      await handoff.send('purchase', {
        email: 'grace@example.com',
        item: 'product-40',
        recurring: true,
        orderId: '5002',
        firstName: 'Grace',
        lastName: 'Hopper',
      });
      await handoff.runJobs();
      return verifiedSince();
    })();
    expect(grace.map((event) => [event.type, event.data.offering])).toEqual([
      ['access.granted', { id: 'community', name: 'Community' }],
    ]);

    handoff.clock.advance(60_000);
    await handoff.send('failed', {
      email: 'grace@example.com',
      item: 'product-40',
      orderId: '5002',
      firstName: 'Grace',
      lastName: 'Hopper',
    });
    await handoff.runJobs();
    const [opened] = verifiedSince();
    expect(opened).toMatchObject({
      type: 'dunning.opened',
      data: { email: 'grace@example.com', outcome: null, orderId: '5002' },
    });
    // ThriveCart times are whole seconds.
    expect(Date.parse(opened!.data.accessEndsAt as string)).toBe(
      Math.floor(handoff.clock.now() / 1000) * 1000 + 14 * 86_400_000,
    );
    expect(opened!.data.product).toEqual(expect.any(String));

    handoff.clock.advance(60_000);
    await handoff.send('renewal', {
      email: 'grace@example.com',
      item: 'product-40',
      orderId: '5002',
      paymentIndex: 1,
      firstName: 'Grace',
      lastName: 'Hopper',
    });
    await handoff.runJobs();
    expect(verifiedSince()).toEqual([
      expect.objectContaining({
        type: 'dunning.closed',
        data: expect.objectContaining({ email: 'grace@example.com', outcome: 'recovered', accessEndsAt: null }),
      }),
    ]);
  });

  it('lists the deliveries with their attempts through the API', async () => {
    const listed = await handoff.api<{
      deliveries: {
        type: string;
        state: string;
        attempts: number;
        lastStatusCode: number | null;
        endpointName: string;
      }[];
    }>('/api/webhooks/deliveries');
    expect(listed.status).toBe(200);
    expect(listed.body.deliveries.map((delivery) => delivery.type)).toEqual([
      'dunning.closed',
      'dunning.opened',
      'access.granted',
      'contact.updated',
      'access.revoked',
      'access.granted',
    ]);
    expect(
      listed.body.deliveries.every(
        (delivery) =>
          delivery.state === 'delivered' &&
          delivery.attempts === 1 &&
          delivery.lastStatusCode === 204 &&
          delivery.endpointName === 'members-site',
      ),
    ).toBe(true);
  });
});
