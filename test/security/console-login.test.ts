import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseTrustedProxies } from '../../src/http/http-settings.ts';
import { ADMIN_TOKEN, startTestHandoff, type TestHandoff } from '../support/handoff.ts';

/** A Handoff listening on a real socket (127.0.0.1), so the client address is the socket's. */
async function listening(trustedProxies: string[] = []): Promise<{ handoff: TestHandoff; base: string }> {
  const handoff = await startTestHandoff({ http: { trustedProxies } });
  const base = await handoff.server.listen({ port: 0, host: '127.0.0.1' });
  return { handoff, base };
}

function login(
  base: string,
  secret: string,
  headers: Record<string, string> = {},
  next = '/contacts',
): Promise<Response> {
  return fetch(`${base}/login`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams({ secret, name: 'Amy', next }).toString(),
  });
}

describe('console login behind (or without) a reverse proxy', () => {
  let handoff: TestHandoff | null = null;
  afterEach(async () => {
    await handoff?.close();
    handoff = null;
  });

  it('without HANDOFF_TRUST_PROXY, ignores X-Forwarded-For: a new spoofed address per guess is still throttled', async () => {
    const started = await listening();
    handoff = started.handoff;
    for (let guess = 1; guess <= 10; guess++) {
      expect((await login(started.base, `guess ${guess}`, { 'x-forwarded-for': `198.51.100.${guess}` })).status).toBe(
        302,
      );
    }
    expect((await login(started.base, 'guess 11', { 'x-forwarded-for': '198.51.100.11' })).status).toBe(429);
  });

  it('without HANDOFF_TRUST_PROXY, X-Forwarded-Proto does not make the session cookie Secure (nor does anything else on plain http)', async () => {
    const started = await listening();
    handoff = started.handoff;
    const answer = await login(started.base, ADMIN_TOKEN, { 'x-forwarded-proto': 'https' });
    expect(answer.status).toBe(302);
    expect(answer.headers.get('set-cookie')).toMatch(/^handoff_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
  });

  it('with the proxy trusted, throttles the address it forwards (not the proxy itself) and sets Secure when it says https', async () => {
    const started = await listening(['127.0.0.1']);
    handoff = started.handoff;
    for (let guess = 1; guess <= 10; guess++)
      expect((await login(started.base, `guess ${guess}`, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(302);
    expect((await login(started.base, 'guess 11', { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
    // Another visitor behind the same proxy is not locked out by the first one's failures.
    const other = await login(started.base, ADMIN_TOKEN, {
      'x-forwarded-for': '198.51.100.8',
      'x-forwarded-proto': 'https',
    });
    expect(other.status).toBe(302);
    expect(other.headers.get('set-cookie')).toMatch(/; Secure/);
  });

  it('refuses a HANDOFF_TRUST_PROXY value that is not a list of addresses (e.g. "true", which would trust everyone)', () => {
    expect(parseTrustedProxies('127.0.0.1, 10.0.0.0/8,::1, loopback')).toEqual([
      '127.0.0.1',
      '10.0.0.0/8',
      '::1',
      'loopback',
    ]);
    expect(parseTrustedProxies('')).toEqual([]);
    for (const wrong of ['true', '1', '10.0.0.0/33', 'proxy.example.com'])
      expect(() => parseTrustedProxies(wrong)).toThrow(/HANDOFF_TRUST_PROXY: .* is not an IP address/);
  });
});

describe('where the console sends people after logging in', () => {
  let started: { handoff: TestHandoff; base: string };
  beforeAll(async () => {
    started = await listening();
  });
  afterAll(() => started.handoff.close());

  it.each([
    '/\\evil.example',
    '/\t/evil.example',
    '//evil.example',
    'https://evil.example/',
    '/.//evil.example',
    '\\\\evil.example',
    '/%5C/evil.example/..',
  ])('keeps %j on the console', async (next) => {
    const answer = await login(started.base, ADMIN_TOKEN, {}, next);
    expect(answer.status).toBe(302);
    const location = answer.headers.get('location')!;
    expect(new URL(location, started.base).origin).toBe(new URL(started.base).origin);
    expect(location.startsWith('/') && !location.startsWith('//') && !location.includes('\\')).toBe(true);
    // The login form carries the cleaned path, never the text as given.
    const form = await (await fetch(`${started.base}/login?next=${encodeURIComponent(next)}`)).text();
    expect(form).not.toContain('evil.example');
  });

  it('still follows a local path, query included', async () => {
    const answer = await login(started.base, ADMIN_TOKEN, {}, '/deliveries?status=failed');
    expect(answer.headers.get('location')).toBe('/deliveries?status=failed');
  });
});
