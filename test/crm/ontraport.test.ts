import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { OntraportConnector, parseContactCat } from '../../src/adapters/crm/ontraport/connector.ts';
import { startOntraportFake } from '../support/crm-fakes/ontraport.ts';
import { ontraportOptionsSchema } from '../../src/adapters/crm/ontraport/options.ts';
import { crmErrorFrom } from './rejection.ts';

const APP_ID = '2_12345_AbCdEf';
const KEY = 'ontraport-key-abcdef';
const EMAIL = 'ada@example.com';

describe('parseContactCat', () => {
  it('splits the star-slash-star list into tag ids, tolerating empty and missing values', () => {
    expect(parseContactCat('*/*12*/*15*/*')).toEqual(['12', '15']);
    expect(parseContactCat('12*/*15')).toEqual(['12', '15']);
    expect(parseContactCat('')).toEqual([]);
    expect(parseContactCat(null)).toEqual([]);
    expect(parseContactCat(undefined)).toEqual([]);
  });
});

describe('Ontraport connector quirks', () => {
  let fake: FakeCrmServer;
  const connectorFor = (appId = APP_ID) =>
    new OntraportConnector(
      ontraportOptionsSchema.parse({ provider: 'ontraport', baseUrl: fake.url, appId, apiKey: KEY }),
    );
  const callsTo = (method: string, path: string) =>
    fake.requests.filter((request) => request.method === method && request.path === path);

  beforeEach(async () => {
    fake = await startOntraportFake(APP_ID, KEY, { enforceBudget: false });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('takes a new contact id from data.id and an existing one from data.attrs.id', async () => {
    fake.replyOnce('POST', '/1/Contacts/saveorupdate', {
      status: 200,
      json: { code: 0, data: { id: '41', email: EMAIL }, account_id: '50' },
    });
    expect(await connectorFor().upsertContact({ email: EMAIL, firstName: null, lastName: null })).toBe('41');

    fake.replyOnce('POST', '/1/Contacts/saveorupdate', {
      status: 200,
      json: { code: 0, data: { attrs: { id: 41, firstname: 'Ada' } }, account_id: '50' },
    });
    expect(await connectorFor().upsertContact({ email: EMAIL, firstName: 'Ada', lastName: null })).toBe('41');
  });

  it('applies and removes tags by name, letting Ontraport create missing tags', async () => {
    const connector = connectorFor();
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });

    await connector.addTags(id, EMAIL, ['Customer', 'VIP']);
    await connector.removeTags(id, EMAIL, ['VIP', 'Never existed']);

    expect(callsTo('PUT', '/1/objects/tagByName')).toHaveLength(1);
    expect(callsTo('DELETE', '/1/objects/tagByName')).toHaveLength(1);
    expect(callsTo('POST', '/1/Tags')).toHaveLength(0);
    expect(fake.state.tagNamesOf(Number(id))).toEqual(['Customer']);
  });

  it('maps contact_cat ids to names through the 50-per-page tag list, reloading only for unknown ids', async () => {
    const connector = connectorFor();
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    for (let index = 0; index < 120; index += 1) fake.state.createTag(`Tag ${index}`);
    fake.state.tagOutsideHandoff(EMAIL, 'Tag 0');
    fake.state.tagOutsideHandoff(EMAIL, 'Tag 119');

    expect(await connector.readTags(id)).toEqual(['Tag 0', 'Tag 119']);
    expect(callsTo('GET', '/1/Tags')).toHaveLength(3);

    await connector.readTags(id);
    expect(callsTo('GET', '/1/Tags')).toHaveLength(3);
  });

  it('quotes plain-text error bodies', async () => {
    const error = await crmErrorFrom(connectorFor().upsertContact({ email: 'nope', firstName: null, lastName: null }));

    expect(error).toMatchObject({ kind: 'permanent', details: { status: 422 } });
    expect(error.message).toContain('Invalid email address');
  });

  it('treats an envelope with a non-zero code as a permanent failure even on HTTP 200', async () => {
    const crm = connectorFor();
    const id = await crm.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    fake.replyOnce('PUT', '/1/objects/tagByName', { status: 200, json: { code: 1, data: '', account_id: '50' } });

    const error = await crmErrorFrom(crm.addTags(id, EMAIL, ['Customer']));

    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('envelope code 1');
  });

  it('reports a mismatched app id as an auth error', async () => {
    const error = await crmErrorFrom(connectorFor('2_99999_Other').check());

    expect(error).toMatchObject({ kind: 'auth', details: { status: 401 } });
  });

  it('waits as long as X-Rate-Limit-Reset says', async () => {
    fake.replyOnce('GET', '/1/Tags', {
      status: 429,
      headers: { 'X-Rate-Limit-Reset': '23' },
      text: 'You have exceeded your maximum rate limit',
    });

    const error = await crmErrorFrom(connectorFor().check());

    expect(error).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 23_000 } });
  });
});
