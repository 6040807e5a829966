import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import type { HandoffConfig } from '../../src/config/schema.ts';
import { JobWorker } from '../../src/adapters/jobs/job-worker.ts';
import { encodeForm } from '../../src/adapters/sources/thrivecart/build-body.ts';
import type { ResolvedAddress } from '../../src/adapters/webhooks/host-resolver.ts';
import { buildServer } from '../../src/http/server.ts';
import { connectRuntime, type Runtime } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { ADMIN_TOKEN } from '../support/handoff.ts';
import { testConfig } from '../support/test-config.ts';
import { startReceiver, type Receiver } from './receiver.ts';
import { testDeliveryFields } from '../support/test-delivery.ts';

/** A public address (example.com's): these tests never connect to it, they only let DNS answer it. */
const PUBLIC_ADDRESS = '93.184.215.14';

/** Handoff whose DNS is a table the test controls: nothing leaves the machine, not even a lookup. */
async function startWithDns(config: HandoffConfig, dns: Map<string, string[]>) {
  const database: TestDatabase = await createTestDatabase();
  const clock = new FakeClock(Date.now());
  const log = pino({ level: 'silent' });
  const resolveHost = async (hostname: string): Promise<ResolvedAddress[]> => {
    const answers = dns.get(hostname);
    if (!answers) throw new Error(`getaddrinfo ENOTFOUND ${hostname}`);
    return answers.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  const runtime: Runtime = await connectRuntime({
    config,
    connectionString: database.connectionString,
    dataDir: '/nonexistent',
    log,
    clock,
    resolveHost,
    secretKey: randomBytes(32),
  });
  const server: FastifyInstance = buildServer(runtime.ctx, {
    adminToken: ADMIN_TOKEN,
    publicUrl: 'https://handoff.test',
  });
  await server.ready();
  const worker = new JobWorker(runtime.ctx.pool, clock, runtime.jobHandlers, log);
  const headers = { authorization: `Bearer ${ADMIN_TOKEN}` };
  return {
    runtime,
    addEndpoint: async (url: string) => {
      const response = await server.inject({
        method: 'POST',
        url: '/api/webhooks/endpoints',
        headers,
        payload: { url, events: ['access.granted'] },
      });
      return {
        status: response.statusCode,
        body: response.json<{ message?: string; secret?: string; endpoint?: { id: number } }>(),
      };
    },
    get: async <T>(path: string) => (await server.inject({ method: 'GET', url: path, headers })).json<T>(),
    delete: async (path: string) => (await server.inject({ method: 'DELETE', url: path, headers })).statusCode,
    purchase: async (email: string) => {
      const fields = testDeliveryFields('purchase', {
        item: 'product-12',
        email,
        occurredAt: new Date(clock.now()),
      });
      await server.inject({
        method: 'POST',
        url: '/webhooks/thrivecart',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        payload: encodeForm(fields),
      });
    },
    runJobs: () => worker.runDue(),
    close: async () => {
      await server.close();
      await runtime.close();
      await database.drop();
    },
  };
}

type Handoff = Awaited<ReturnType<typeof startWithDns>>;
type DeliveryList = { deliveries: { state: string; lastStatusCode: number | null; lastError: string | null }[] };

describe('outbound URLs added through the API (SSRF)', () => {
  let handoff: Handoff;
  let receiver: Receiver | null = null;
  afterEach(async () => {
    await handoff.close();
    await receiver?.close();
    receiver = null;
  });

  it.each([
    ['https://127.0.0.1/hooks', 'loopback'],
    ['https://2130706433/hooks', 'loopback'],
    ['https://0x7f.1/hooks', 'loopback'],
    ['https://[::1]/hooks', 'loopback'],
    ['https://[::ffff:127.0.0.1]/hooks', 'IPv4-mapped'],
    ['https://169.254.169.254/latest/meta-data/', 'link-local'],
    ['https://10.0.0.1/hooks', 'private'],
    ['https://172.16.0.1/hooks', 'private'],
    ['https://192.168.1.1/hooks', 'private'],
    ['https://100.64.0.1/hooks', 'carrier-grade NAT'],
    ['https://[fc00::1]/hooks', 'unique-local'],
    ['https://[fe80::1]/hooks', 'link-local'],
    ['https://0.0.0.0/hooks', 'this network'],
    ['https://[2002:a00:1::1]/hooks', '6to4 address wrapping 10.0.0.1'],
    ['https://[2001:0:5db8:d70e:8000:63bf:80ff:fffe]/hooks', 'Teredo address wrapping 127.0.0.1'],
    ['https://sixtofour.example.com/hooks', 'resolves to 2002:a9fe:a9fe::1, a 6to4 address wrapping 169.254.169.254'],
    ['http://hooks.example.com/hooks', 'only https://'],
    ['https://internal.example.com/hooks', 'resolves to 10.1.2.3'],
    ['https://mixed.example.com/hooks', 'resolves to 127.0.0.1'],
  ])('refuses %s', async (url, why) => {
    const dns = new Map([
      ['hooks.example.com', [PUBLIC_ADDRESS]],
      ['internal.example.com', ['10.1.2.3']],
      ['mixed.example.com', [PUBLIC_ADDRESS, '127.0.0.1']],
      ['sixtofour.example.com', ['2002:a9fe:a9fe::1']],
    ]);
    handoff = await startWithDns(testConfig(), dns);
    const added = await handoff.addEndpoint(url);
    expect(added.status).toBe(400);
    expect(added.body.message).toContain(why);
    expect(await handoff.get('/api/webhooks/endpoints')).toEqual({ endpoints: [] });
  });

  it('accepts a public https URL, shows its secret once, and deletes it', async () => {
    handoff = await startWithDns(testConfig(), new Map([['hooks.example.com', [PUBLIC_ADDRESS]]]));
    const added = await handoff.addEndpoint('https://hooks.example.com/handoff');
    expect(added.status).toBe(201);
    expect(added.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const listed = await handoff.get<{ endpoints: Record<string, unknown>[] }>('/api/webhooks/endpoints');
    expect(listed.endpoints).toEqual([
      expect.objectContaining({
        url: 'https://hooks.example.com/handoff',
        name: 'hooks.example.com',
        source: 'console',
        events: ['access.granted'],
        enabled: true,
      }),
    ]);
    expect(JSON.stringify(listed)).not.toContain(added.body.secret!);
    // Deleted before anything is sent: this test must never dial the public address.
    expect(await handoff.delete(`/api/webhooks/endpoints/${added.body.endpoint!.id}`)).toBe(204);
    expect(await handoff.get('/api/webhooks/endpoints')).toEqual({ endpoints: [] });
  });

  it('refuses at connect time a host whose DNS answer turned private after registration', async () => {
    receiver = await startReceiver();
    const dns = new Map([['flip.example.com', [PUBLIC_ADDRESS]]]);
    handoff = await startWithDns(testConfig(), dns);
    expect((await handoff.addEndpoint(`https://flip.example.com:${receiver.port}/hooks`)).status).toBe(201);

    dns.set('flip.example.com', ['127.0.0.1']);
    await handoff.purchase('ada@example.com');
    await handoff.runJobs();

    expect(receiver.connections).toBe(0);
    const listed = await handoff.get<DeliveryList>('/api/webhooks/deliveries');
    expect(listed.deliveries).toEqual([
      expect.objectContaining({
        state: 'pending',
        lastStatusCode: null,
        lastError: expect.stringContaining('refused: flip.example.com resolves to 127.0.0.1, a loopback address'),
      }),
    ]);
  });

  it('with allowPrivateNetworks in the configuration, accepts a loopback http URL and delivers there, signed with the secret shown', async () => {
    receiver = await startReceiver();
    handoff = await startWithDns(testConfig('webhooks: { allowPrivateNetworks: true }'), new Map());
    const added = await handoff.addEndpoint(receiver.url);
    expect(added.status).toBe(201);

    await handoff.purchase('ada@example.com');
    await handoff.runJobs();
    expect(receiver.received).toHaveLength(1);
    const [webhook] = receiver.received;
    expect(new Webhook(added.body.secret!).verify(webhook!.body, webhook!.headers)).toMatchObject({
      type: 'access.granted',
      data: { email: 'ada@example.com' },
    });
  });
});
