import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { KitConnector } from '../../src/adapters/crm/kit/connector.ts';
import { startKitFake, type KitFakeOptions } from '../support/crm-fakes/kit.ts';
import { kitOptionsSchema } from '../../src/adapters/crm/kit/options.ts';
import { crmErrorFrom } from './rejection.ts';

const KEY = 'kit-key-abcdef';
const EMAIL = 'ada@example.com';

describe('Kit connector quirks', () => {
  let fake: FakeCrmServer;
  const connectorFor = () =>
    new KitConnector(kitOptionsSchema.parse({ provider: 'kit', baseUrl: fake.url, apiKey: KEY }));
  const callsTo = (method: string, path: string) =>
    fake.requests.filter((request) => request.method === method && request.path === path);

  const restartFake = async (options: KitFakeOptions) => {
    await fake.close();
    fake = await startKitFake(KEY, { enforceBudget: false, ...options });
  };

  beforeEach(async () => {
    fake = await startKitFake(KEY, { enforceBudget: false });
  });
  afterEach(async () => {
    await fake.close();
  });

  it('stores the last name in the last_name custom field, creating the field once', async () => {
    const connector = connectorFor();

    await connector.upsertContact({ email: EMAIL, firstName: 'Ada', lastName: 'Lovelace' });
    await connector.upsertContact({ email: 'grace@example.com', firstName: 'Grace', lastName: 'Hopper' });
    await connectorFor().upsertContact({ email: 'alan@example.com', firstName: 'Alan', lastName: 'Turing' });

    expect(fake.state.findContactByEmail(EMAIL)?.fields).toEqual({ last_name: 'Lovelace' });
    expect(callsTo('POST', '/v4/custom_fields')).toHaveLength(1);
    expect(callsTo('GET', '/v4/custom_fields')).toHaveLength(2);
  });

  it('writes the last name of an existing subscriber with PUT /v4/subscribers/{id}, which the upsert does not', async () => {
    const connector = connectorFor();
    const id = await connector.upsertContact({ email: EMAIL, firstName: 'Ada', lastName: 'Lovelace' });
    expect(callsTo('PUT', `/v4/subscribers/${id}`)).toHaveLength(0);

    await connector.upsertContact({ email: EMAIL, firstName: null, lastName: 'King' });

    expect(callsTo('PUT', `/v4/subscribers/${id}`)).toHaveLength(1);
    expect(fake.state.findContactByEmail(EMAIL)).toMatchObject({ firstName: 'Ada', fields: { last_name: 'King' } });
  });

  it('touches no custom field when there is no last name to write', async () => {
    await connectorFor().upsertContact({ email: EMAIL, firstName: 'Ada', lastName: null });

    expect(fake.requests.map((request) => request.path)).toEqual(['/v4/subscribers']);
  });

  it('trusts tag ids from its own writes instead of the lagging tag list', async () => {
    const connector = connectorFor();
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    await connector.addTags(id, EMAIL, ['Customer']);

    await connector.removeTags(id, EMAIL, ['Customer']);

    expect(callsTo('GET', '/v4/tags')).toHaveLength(0);
    expect(callsTo('POST', '/v4/tags')).toHaveLength(1);
    expect(fake.state.tagNamesOf(Number(id))).toEqual([]);
  });

  it('finds the id of a tag applied outside Handoff by asking Kit for the name, not through the lagging list', async () => {
    const connector = connectorFor();
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    fake.state.tagOutsideHandoff(EMAIL, 'Added by hand');

    await connector.removeTags(id, EMAIL, ['Added by hand']);

    expect(callsTo('GET', '/v4/tags')).toHaveLength(0);
    expect(fake.state.tagNamesOf(Number(id))).toEqual([]);
  });

  it('where Kit matches tag names ignoring case, uses the existing tag and reads it back under the name Handoff asked for', async () => {
    fake.state.createTag('VIP');
    const connector = connectorFor();
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });

    await connector.addTags(id, EMAIL, ['vip']);

    expect([...fake.state.tags.values()].map((tag) => tag.name)).toEqual(['VIP']);
    expect(await connector.readTags(id)).toEqual(['vip']);
    await connector.removeTags(id, EMAIL, ['vip']);
    expect(fake.state.tagNamesOf(Number(id))).toEqual([]);
  });

  it('where Kit matches tag names exactly, never touches a tag of the same name in other case', async () => {
    await restartFake({ tagNameMatch: 'exact' });
    const connector = connectorFor();
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    fake.state.tagOutsideHandoff(EMAIL, 'VIP');

    await connector.addTags(id, EMAIL, ['vip']);
    expect([...fake.state.tagNamesOf(Number(id))].sort()).toEqual(['VIP', 'vip']);

    await connectorFor().removeTags(id, EMAIL, ['vip']);
    expect(fake.state.tagNamesOf(Number(id))).toEqual(['VIP']);
  });

  it('follows cursor pagination when reading tags', async () => {
    const connector = connectorFor();
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    for (let index = 0; index < 1001; index += 1) fake.state.tagOutsideHandoff(EMAIL, `Tag ${index}`);

    expect(await connector.readTags(id)).toHaveLength(1001);
    expect(callsTo('GET', `/v4/subscribers/${id}/tags`)).toHaveLength(2);
  });

  it('can only unsubscribe on delete, since Kit has no delete endpoint', async () => {
    const connector = connectorFor();
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });

    await connector.deleteContact(id);

    expect(fake.state.findContactByEmail(EMAIL)?.unsubscribed).toBe(true);
    expect(callsTo('POST', `/v4/subscribers/${id}/unsubscribe`)).toHaveLength(1);
  });

  it('quotes the plain-text 429 body', async () => {
    fake.setMode('rate-limited');

    const error = await crmErrorFrom(connectorFor().check());

    expect(error.message).toMatch(/^kit GET \S+ → 429: Retry later$/);
  });
});
