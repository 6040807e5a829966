import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleCookie } from '../support/console-session.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { startReceiver, type Receiver } from './receiver.ts';
import { configWithEndpoint } from './webhook-config.ts';

describe('console: the Webhooks page', () => {
  let receiver: Receiver;
  let handoff: TestHandoff;
  let cookie = '';
  let csrf = '';

  const get = async (url: string) => (await handoff.server.inject({ method: 'GET', url, headers: { cookie } })).body;
  const post = (url: string, form: Record<string, string | string[]>) =>
    handoff.server.inject({
      method: 'POST',
      url,
      headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' },
      payload: new URLSearchParams(
        Object.entries({ _csrf: csrf, ...form }).flatMap(([key, value]) =>
          [value].flat().map((one): [string, string] => [key, one]),
        ),
      ).toString(),
    });

  beforeAll(async () => {
    receiver = await startReceiver(() => ({ status: 500, body: 'site is down' }));
    handoff = await startTestHandoff({ config: configWithEndpoint(receiver.url, { allowPrivateNetworks: true }) });
    cookie = await consoleCookie(handoff, 'amy');
    csrf = /name="_csrf" value="([^"]+)"/.exec(await get('/webhooks'))![1]!;
  });
  afterAll(async () => {
    await handoff.close();
    await receiver.close();
  });

  it('lists the configured endpoint and the failing delivery with its last error', async () => {
    await handoff.send('purchase', { email: 'ada@example.com' });
    await handoff.runJobs();
    const page = await get('/webhooks');
    expect(page).toContain('<a href="/webhooks" class="here">Webhooks</a>');
    expect(page).toContain('members-site');
    expect(page).toContain(receiver.url);
    expect(page).toContain('access.granted');
    expect(page).toContain('retrying');
    expect(page).toContain('HTTP 500');
    expect(page).toContain('site is down');
  });

  it('adds an endpoint from the form and shows its secret once', async () => {
    const added = await post('/webhooks/endpoints', {
      url: 'http://127.0.0.1:9/never-called',
      name: 'staging site',
      events: ['access.granted', 'access.revoked'],
    });
    expect(added.statusCode).toBe(200);
    const secret = /whsec_[A-Za-z0-9+/=]+/.exec(added.body)?.[0];
    expect(secret).toBeDefined();
    const later = await get('/webhooks');
    expect(later).toContain('staging site');
    expect(later).toContain('access.granted, access.revoked');
    expect(later).not.toContain(secret!);
  });

  it('disables and deletes an endpoint, and refuses a form without the CSRF token', async () => {
    const listed = await handoff.api<{ endpoints: { id: number; name: string; enabled: boolean }[] }>(
      '/api/webhooks/endpoints',
    );
    const staging = listed.body.endpoints.find((endpoint) => endpoint.name === 'staging site')!;
    csrf = 'forged';
    expect((await post(`/webhooks/endpoints/${staging.id}/delete`, {})).statusCode).toBe(403);
    csrf = /name="_csrf" value="([^"]+)"/.exec(await get('/webhooks'))![1]!;

    expect((await post(`/webhooks/endpoints/${staging.id}/disable`, {})).statusCode).toBe(302);
    expect(
      (await handoff.api<typeof listed.body>('/api/webhooks/endpoints')).body.endpoints.find(
        (endpoint) => endpoint.id === staging.id,
      )?.enabled,
    ).toBe(false);
    expect(await get('/webhooks')).toContain('disabled by amy');

    expect((await post(`/webhooks/endpoints/${staging.id}/delete`, {})).statusCode).toBe(302);
    expect(
      (await handoff.api<typeof listed.body>('/api/webhooks/endpoints')).body.endpoints.map(
        (endpoint) => endpoint.name,
      ),
    ).toEqual(['members-site']);
  });
});
