import { afterEach, describe, expect, it } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { startReceiver, type Answer, type Receiver } from './receiver.ts';
import { configWithEndpoint, eventOf } from './webhook-config.ts';

type EndpointList = { endpoints: { name: string; enabled: boolean; disabledReason: string | null }[] };
type DeliveryList = {
  deliveries: {
    type: string;
    state: string;
    attempts: number;
    lastStatusCode: number | null;
    lastError: string | null;
  }[];
};

describe('webhook retries', () => {
  let handoff: TestHandoff;
  let receivers: Receiver[] = [];
  const receiverAnswering = async (answer: (index: number) => Answer): Promise<Receiver> => {
    const receiver = await startReceiver(answer);
    receivers.push(receiver);
    return receiver;
  };
  afterEach(async () => {
    await handoff.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
    receivers = [];
  });

  it('retries a receiver that fails first (500, then 429 with Retry-After) and delivers once', async () => {
    const answers: Answer[] = [
      { status: 500, body: 'database is down' },
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 200 },
    ];
    const receiver = await receiverAnswering((index) => answers[index] ?? { status: 200 });
    handoff = await startTestHandoff({ config: configWithEndpoint(receiver.url) });
    await handoff.send('purchase', { email: 'ada@example.com' });

    await handoff.runJobs();
    expect(receiver.received).toHaveLength(1);
    // The first retry is due 5 s later, give or take 20 %.
    handoff.clock.advance(3_900);
    await handoff.runJobs();
    expect(receiver.received).toHaveLength(1);
    handoff.clock.advance(2_200);
    await handoff.runJobs();
    expect(receiver.received).toHaveLength(2);

    // 429 with Retry-After: 120 → not before two minutes, whatever the schedule says.
    handoff.clock.advance(119_000);
    await handoff.runJobs();
    expect(receiver.received).toHaveLength(2);
    handoff.clock.advance(1_000);
    await handoff.runJobs();
    expect(receiver.received).toHaveLength(3);

    const ids = new Set(receiver.received.map((webhook) => webhook.headers['webhook-id']));
    expect(ids.size).toBe(1);
    expect(new Set(receiver.received.map((webhook) => webhook.body)).size).toBe(1);
    expect(new Set(receiver.received.map((webhook) => webhook.headers['webhook-timestamp'])).size).toBe(3);
    expect(eventOf(receiver.received[2]!.body).type).toBe('access.granted');

    handoff.clock.advanceDays(3);
    await handoff.runJobs();
    expect(receiver.received).toHaveLength(3);
    const listed = await handoff.api<DeliveryList>('/api/webhooks/deliveries');
    expect(listed.body.deliveries).toEqual([
      expect.objectContaining({
        type: 'access.granted',
        state: 'delivered',
        attempts: 3,
        lastStatusCode: 200,
        lastError: null,
      }),
    ]);
  });

  it('gives up after 8 attempts over about 27 hours and dead-letters the job', async () => {
    const receiver = await receiverAnswering(() => ({ status: 503 }));
    handoff = await startTestHandoff({ config: configWithEndpoint(receiver.url) });
    await handoff.send('purchase', { email: 'ada@example.com' });
    for (let hour = 0; hour <= 40; hour += 1) {
      await handoff.runJobs();
      handoff.clock.advance(3_600_000);
    }
    expect(receiver.received).toHaveLength(8);
    const dead = await handoff.runtime.ctx.pool.query(`select kind, last_error from jobs where state = 'dead'`);
    expect(dead.rows).toEqual([
      { kind: 'webhook.deliver', last_error: expect.stringContaining('gave up after 8 attempts: HTTP 503') },
    ]);
    const listed = await handoff.api<DeliveryList>('/api/webhooks/deliveries');
    expect(listed.body.deliveries).toEqual([
      expect.objectContaining({ state: 'dead', attempts: 8, lastStatusCode: 503 }),
    ]);
  });

  it('disables the endpoint when the receiver answers 410 Gone, and sends it nothing more', async () => {
    const receiver = await receiverAnswering(() => ({ status: 410 }));
    handoff = await startTestHandoff({ config: configWithEndpoint(receiver.url) });
    await handoff.send('purchase', { email: 'ada@example.com' });
    await handoff.runJobs();
    expect(receiver.received).toHaveLength(1);

    const endpoints = await handoff.api<EndpointList>('/api/webhooks/endpoints');
    expect(endpoints.body.endpoints).toEqual([
      expect.objectContaining({
        name: 'members-site',
        enabled: false,
        disabledReason: expect.stringContaining('410 Gone'),
      }),
    ]);

    await handoff.send('purchase', { email: 'grace@example.com' });
    handoff.clock.advanceDays(2);
    await handoff.runJobs();
    expect(receiver.received).toHaveLength(1);
    const jobs = await handoff.runtime.ctx.pool.query(`select 1 from jobs where kind = 'webhook.deliver'`);
    expect(jobs.rowCount).toBe(0);
  });

  it('does not follow a redirect, even one pointing at an address it could reach', async () => {
    const target = await receiverAnswering(() => ({ status: 200 }));
    const redirecting = await receiverAnswering(() => ({ status: 302, headers: { location: target.url } }));
    handoff = await startTestHandoff({ config: configWithEndpoint(redirecting.url) });
    await handoff.send('purchase', { email: 'ada@example.com' });
    await handoff.runJobs();

    expect(redirecting.received).toHaveLength(1);
    expect(target.connections).toBe(0);
    const listed = await handoff.api<DeliveryList>('/api/webhooks/deliveries');
    expect(listed.body.deliveries).toEqual([
      expect.objectContaining({
        state: 'pending',
        lastStatusCode: 302,
        lastError: expect.stringContaining('redirect'),
      }),
    ]);
  });
});
