import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DripConnector } from '../../src/adapters/crm/drip/connector.ts';
import { startDripFake } from '../support/crm-fakes/drip.ts';
import { dripOptionsSchema } from '../../src/adapters/crm/drip/options.ts';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { crmErrorFrom } from './rejection.ts';

const ACCOUNT_ID = '9999999';
const TOKEN = 'drip-token-abcdef';
const EMAIL = 'ada+courses@example.com';

describe('Drip connector quirks', () => {
  let fake: FakeCrmServer;
  const connectorFor = (accountId = ACCOUNT_ID) =>
    new DripConnector(dripOptionsSchema.parse({ provider: 'drip', baseUrl: fake.url, accountId, apiToken: TOKEN }));

  beforeEach(async () => {
    fake = await startDripFake(ACCOUNT_ID, TOKEN, { enforceBudget: false });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('URL-encodes the email and tag names with spaces and slashes when removing', async () => {
    const connector = connectorFor();
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    await connector.addTags(id, EMAIL, ['Course / Level 2', 'Q&A? 100%', 'Keep']);

    await connector.removeTags(id, EMAIL, ['Course / Level 2', 'Q&A? 100%']);

    const deletions = fake.requests.filter((request) => request.method === 'DELETE').map((request) => request.path);
    expect(deletions).toEqual([
      `/v2/${ACCOUNT_ID}/subscribers/ada%2Bcourses%40example.com/tags/Course%20%2F%20Level%202`,
      `/v2/${ACCOUNT_ID}/subscribers/ada%2Bcourses%40example.com/tags/Q%26A%3F%20100%25`,
    ]);
    expect(await connector.readTags(id)).toEqual(['Keep']);
  });

  it('puts the account id in every path and applies each tag in its own call, the one-item form Drip documents', async () => {
    const connector = connectorFor();
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });

    await connector.addTags(id, EMAIL, ['A', 'B', 'C']);

    expect(fake.requests.every((request) => request.path.startsWith(`/v2/${ACCOUNT_ID}/`))).toBe(true);
    expect(fake.requests.filter((request) => request.path === `/v2/${ACCOUNT_ID}/tags`)).toHaveLength(3);
    expect(await connector.readTags(id)).toEqual(['A', 'B', 'C']);
  });

  describe('with an inactive person, whom Drip refuses to change', () => {
    let id: string;
    beforeEach(async () => {
      const connector = connectorFor();
      id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
      await connector.addTags(id, EMAIL, ['Customer']);
      fake.state.findContactByEmail(EMAIL)!.unsubscribed = true;
    });

    it('fails a tag change permanently, saying the person is inactive, instead of pausing the connector for a bad key', async () => {
      for (const change of [
        () => connectorFor().addTags(id, EMAIL, ['VIP']),
        () => connectorFor().removeTags(id, EMAIL, ['Customer']),
      ]) {
        const error = await crmErrorFrom(change());
        expect(error.kind).toBe('permanent');
        expect(error.message).toContain(`Drip subscriber ${id} is unsubscribed`);
      }
      expect(await connectorFor().readTags(id)).toEqual(['Customer']);
    });

    it('fails an erasure permanently with what to do by hand, never reporting it done, and without the e-mail address', async () => {
      const error = await crmErrorFrom(connectorFor().deleteContact(id));

      expect(error.kind).toBe('permanent');
      expect(error.message).toContain(
        "Drip's API refuses to delete inactive people: delete the person by hand in Drip",
      );
      expect(error.message).not.toContain(EMAIL);
      expect(fake.state.findContactByEmail(EMAIL)).toBeDefined();
    });

    it('fails the upsert permanently too', async () => {
      const error = await crmErrorFrom(
        connectorFor().upsertContact({ email: EMAIL, firstName: 'Ada', lastName: null }),
      );

      expect(error).toMatchObject({ kind: 'permanent', details: { status: 403 } });
      expect(error.message).toContain('is unsubscribed');
    });
  });

  it('keeps a 403 for an active person what it is: the token refused', async () => {
    const id = await connectorFor().upsertContact({ email: EMAIL, firstName: null, lastName: null });
    fake.replyOnce('POST', `/v2/${ACCOUNT_ID}/tags`, {
      status: 403,
      json: { errors: [{ code: 'authorization_error', message: 'You are not authorized to access this resource' }] },
    });

    const error = await crmErrorFrom(connectorFor().addTags(id, EMAIL, ['VIP']));

    expect(error).toMatchObject({ kind: 'auth', details: { status: 403 } });
  });

  it('reports an account id the token may not use as an auth error on check()', async () => {
    const error = await crmErrorFrom(connectorFor('1234567').check());

    expect(error).toMatchObject({ kind: 'auth', details: { status: 403 } });
  });

  it('fails check() when the account answered is not the configured one', async () => {
    fake.replyOnce('GET', `/v2/accounts/${ACCOUNT_ID}`, {
      status: 200,
      json: { accounts: [{ id: '1234567', name: 'Another account' }] },
    });

    const error = await crmErrorFrom(connectorFor().check());

    expect(error).toMatchObject({ kind: 'permanent', details: { status: 200 } });
    expect(error.message).toContain(`expected account ${ACCOUNT_ID}`);
  });

  it('quotes the message of the JSON 429', async () => {
    fake.setMode('rate-limited');

    const error = await crmErrorFrom(connectorFor().check());

    expect(error.message).toMatch(/^drip GET \S+ → 429: .*API rate limit exceeded/);
  });
});
