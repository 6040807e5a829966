import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startFakeCrmServer, type FakeCrmServer, type FakeReply } from '../support/crm-fakes/fake-crm-server.ts';
import {
  CrmHttpClient,
  encodedPath,
  errorKindForStatus,
  retryAfterMsFrom,
} from '../../src/adapters/crm/http-client.ts';
import { crmErrorFrom } from './rejection.ts';

const SECRET = 'sk-live-very-secret';

/** A remote that answers GET /thing with whatever the test sets. */
async function startRemote(): Promise<{ server: FakeCrmServer; answer(reply: FakeReply): void }> {
  let next: FakeReply = { status: 200, json: { ok: true } };
  const server = await startFakeCrmServer(() => ({
    budgets: [],
    isAuthorized: () => true,
    unauthorized: { status: 401 },
    rateLimited: () => ({ status: 429 }),
    outage: { status: 503 },
    notFound: { status: 404 },
    routes: [{ method: 'GET', pattern: '/thing', handle: () => next }],
  }));
  return { server, answer: (reply) => (next = reply) };
}

describe('retryAfterMsFrom', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads Retry-After as seconds or as an HTTP date', () => {
    expect(retryAfterMsFrom(new Headers({ 'Retry-After': '3' }), now)).toBe(3000);
    expect(retryAfterMsFrom(new Headers({ 'Retry-After': 'Thu, 01 Jan 2026 00:00:10 GMT' }), now)).toBe(10_000);
    expect(retryAfterMsFrom(new Headers({ 'Retry-After': 'Wed, 31 Dec 2025 23:59:00 GMT' }), now)).toBe(0);
  });

  it("falls back to Ontraport's X-Rate-Limit-Reset seconds, and is undefined when nothing usable is given", () => {
    expect(retryAfterMsFrom(new Headers({ 'X-Rate-Limit-Reset': '42' }), now)).toBe(42_000);
    expect(retryAfterMsFrom(new Headers(), now)).toBeUndefined();
    expect(retryAfterMsFrom(new Headers({ 'Retry-After': 'soon' }), now)).toBeUndefined();
  });
});

describe('errorKindForStatus', () => {
  it.each([
    [429, 'rate_limited'],
    [500, 'transient'],
    [503, 'transient'],
    [401, 'auth'],
    [403, 'auth'],
    [400, 'permanent'],
    [404, 'permanent'],
    [422, 'permanent'],
  ])('%i → %s', (status, kind) => {
    expect(errorKindForStatus(status)).toBe(kind);
  });
});

describe('encodedPath', () => {
  it('encodes interpolated values, slashes included, and leaves the literal parts alone', () => {
    expect(encodedPath`/v2/${'123'}/subscribers/${'a+b@example.com'}/tags/${'Course / Level 2'}`).toBe(
      '/v2/123/subscribers/a%2Bb%40example.com/tags/Course%20%2F%20Level%202',
    );
  });
});

describe('CrmHttpClient', () => {
  let remote: Awaited<ReturnType<typeof startRemote>> | undefined;
  afterEach(async () => {
    await remote?.server.close();
    remote = undefined;
  });

  const clientFor = (
    baseUrl: string,
    extra: Partial<ConstructorParameters<typeof CrmHttpClient>[0]> = {},
    deps: ConstructorParameters<typeof CrmHttpClient>[1] = {},
  ) =>
    new CrmHttpClient({ provider: 'acme', baseUrl, headers: { 'X-Key': SECRET }, secrets: [SECRET], ...extra }, deps);

  it('returns parsed JSON, or the text of a non-JSON body', async () => {
    remote = await startRemote();
    const client = clientFor(remote.server.url);

    expect((await client.send({ method: 'GET', path: '/thing' })).body).toEqual({ ok: true });
    remote.answer({ status: 200, text: 'plain words' });
    expect((await client.send({ method: 'GET', path: '/thing' })).body).toBe('plain words');
  });

  it('names provider, method, path, status and a short excerpt of the body, never the secret', async () => {
    remote = await startRemote();
    remote.answer({ status: 400, text: `bad request for key ${SECRET} ${'x'.repeat(500)}` });

    const error = await crmErrorFrom(
      clientFor(remote.server.url).send({ method: 'GET', path: '/thing', query: { email: 'a@b.c' } }),
    );

    expect(error.kind).toBe('permanent');
    expect(error.details).toEqual({ provider: 'acme', status: 400 });
    expect(error.message).toMatch(/^acme GET \/thing → 400: bad request for key \[redacted\] x+…$/);
    expect(error.message).not.toContain(SECRET);
    expect(error.message.length).toBeLessThan(300);
  });

  it('maps 429 to rate_limited with the wait the provider gave', async () => {
    remote = await startRemote();
    remote.answer({ status: 429, headers: { 'Retry-After': '2' }, text: 'slow down' });

    const error = await crmErrorFrom(clientFor(remote.server.url).send({ method: 'GET', path: '/thing' }));

    expect(error.kind).toBe('rate_limited');
    expect(error.details.retryAfterMs).toBe(2000);
  });

  it('accepts the statuses a request declares as expected answers', async () => {
    remote = await startRemote();
    remote.answer({ status: 404, json: { message: 'No Result found' } });

    const response = await clientFor(remote.server.url).send({ method: 'GET', path: '/thing', acceptStatuses: [404] });

    expect(response.status).toBe(404);
  });

  it('treats a failure reported inside a 200 body as permanent', async () => {
    remote = await startRemote();
    remote.answer({ status: 200, json: { success: false, message: 'nope' } });
    const client = clientFor(remote.server.url, {
      findFailureInBody: (body) =>
        typeof body === 'object' && body !== null && 'message' in body ? String(body.message) : undefined,
    });

    const error = await crmErrorFrom(client.send({ method: 'GET', path: '/thing' }));

    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('nope');
  });

  it('treats an answer of the wrong shape as permanent', async () => {
    remote = await startRemote();

    const error = await crmErrorFrom(
      clientFor(remote.server.url).sendFor(z.object({ id: z.string() }), { method: 'GET', path: '/thing' }),
    );

    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('unusable answer (id:');
  });

  it('gives up after the timeout with a transient error', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    try {
      const error = await crmErrorFrom(
        clientFor(`http://127.0.0.1:${port}`, {}, { timeoutMs: 50 }).send({ method: 'GET', path: '/thing' }),
      );

      expect(error.kind).toBe('transient');
      expect(error.message).toContain('no answer within 50 ms');
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });

  it('reports a refused connection as transient', async () => {
    remote = await startRemote();
    const url = remote.server.url;
    await remote.server.close();
    remote = undefined;

    const error = await crmErrorFrom(clientFor(url).send({ method: 'GET', path: '/thing' }));

    expect(error.kind).toBe('transient');
    expect(error.message).toMatch(/network failure/);
  });
});
