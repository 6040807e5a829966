import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { KeapConnector } from '../../src/adapters/crm/keap/connector.ts';
import { startKeapFake } from '../support/crm-fakes/keap.ts';
import { keapOptionsSchema, type KeapKeyType } from '../../src/adapters/crm/keap/options.ts';
import { crmErrorFrom } from './rejection.ts';

const KEY = 'keap-pat-abcdef';
const EMAIL = 'ada@example.com';

describe('Keap connector quirks', () => {
  let fake: FakeCrmServer;
  const connectorFor = (keyType: KeapKeyType = 'pat') =>
    new KeapConnector(keapOptionsSchema.parse({ provider: 'keap', baseUrl: fake.url, keyType, apiKey: KEY }));
  const callsTo = (method: string, path: string) =>
    fake.requests.filter((request) => request.method === method && request.path === path);

  afterEach(async () => {
    await fake.close();
  });

  describe('with a personal access token', () => {
    beforeEach(async () => {
      fake = await startKeapFake(KEY, 'pat', { enforceBudget: false });
    });

    it('upserts with PUT /v1/contacts and duplicate_option Email (the fake refuses anything else)', async () => {
      const connector = connectorFor();
      const created = await connector.upsertContact({ email: EMAIL, firstName: 'Ada', lastName: 'Lovelace' });

      expect(await connector.upsertContact({ email: 'ADA@example.com', firstName: null, lastName: 'King' })).toBe(
        created,
      );
      expect(callsTo('PUT', '/v1/contacts')).toHaveLength(2);
      expect(fake.state.findContactByEmail(EMAIL)).toMatchObject({ firstName: 'Ada', lastName: 'King' });
    });

    it('looks a tag id up by name once, then uses the cache', async () => {
      const connector = connectorFor();
      const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });

      await connector.addTags(id, EMAIL, ['Customer']);
      await connector.addTags(id, EMAIL, ['Customer']);

      expect(callsTo('GET', '/v1/tags')).toHaveLength(1);
      expect(callsTo('POST', '/v1/tags')).toHaveLength(1);
    });

    it('resolves a name shared by several tags to the lowest id, and removes whichever of them the contact holds', async () => {
      const first = fake.state.createTag('Customer');
      const second = fake.state.createTag('Customer');
      const connector = connectorFor();
      const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
      fake.state.applyTag(Number(id), second.id);

      await connector.addTags(id, EMAIL, ['Customer']);
      expect(fake.state.findAssociation(Number(id), first.id)).toBeDefined();

      await connector.removeTags(id, EMAIL, ['Customer']);
      expect(fake.state.tagNamesOf(Number(id))).toEqual([]);
    });

    it('takes only the documented SUCCESS as applied: any other per-tag status is a permanent failure naming it', async () => {
      const connector = connectorFor();
      const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
      await connector.addTags(id, EMAIL, ['Customer']);
      const tagId = fake.state.findTagByName('Customer')!.id;

      await expect(connector.addTags(id, EMAIL, ['Customer'])).resolves.toBeUndefined();

      for (const status of ['DUPLICATE', 'FAILURE']) {
        fake.replyOnce('POST', `/v1/contacts/${id}/tags`, { status: 200, json: { [tagId]: status } });
        const error = await crmErrorFrom(connector.addTags(id, EMAIL, ['Customer']));
        expect(error.kind).toBe('permanent');
        expect(error.message).toContain(`${tagId}=${status}`);
        expect(error.message).toContain('Keap documents only SUCCESS');
      }
    });

    it('removes several tags in one call by id', async () => {
      const connector = connectorFor();
      const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
      await connector.addTags(id, EMAIL, ['A', 'B', 'C']);

      await connector.removeTags(id, EMAIL, ['A', 'C']);

      expect(callsTo('DELETE', `/v1/contacts/${id}/tags`)).toHaveLength(1);
      expect(fake.state.tagNamesOf(Number(id))).toEqual(['B']);
    });

    it('reads a bare 429 as rate_limited with no stated wait', async () => {
      fake.setMode('rate-limited');

      const error = await crmErrorFrom(connectorFor().check());

      expect(error).toMatchObject({ kind: 'rate_limited', details: { status: 429 } });
      expect(error.details.retryAfterMs).toBeUndefined();
    });

    it('budgets PAT/SAK at 4 per second, which keeps within both 10/s and 240/min', () => {
      expect(connectorFor('pat').budget).toEqual({ requests: 4, perMs: 1000 });
      expect(connectorFor('sak').budget).toEqual({ requests: 4, perMs: 1000 });
    });
  });

  describe('with an OAuth access token', () => {
    beforeEach(async () => {
      fake = await startKeapFake(KEY, 'oauth', { enforceBudget: false });
    });

    it('sends it as a Bearer token and budgets 1,500 per minute', async () => {
      const connector = connectorFor('oauth');

      await expect(connector.check()).resolves.toBeUndefined();
      expect(connector.budget).toEqual({ requests: 1500, perMs: 60_000 });
      await expect(connectorFor('pat').check()).rejects.toMatchObject({ kind: 'auth', details: { status: 401 } });
    });
  });
});
