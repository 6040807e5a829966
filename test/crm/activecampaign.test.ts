import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import { ActiveCampaignConnector } from '../../src/adapters/crm/activecampaign/connector.ts';
import { activeCampaignOptionsSchema } from '../../src/adapters/crm/activecampaign/options.ts';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { crmErrorFrom } from './rejection.ts';

const TOKEN = 'ac-token-abcdef';
const EMAIL = 'ada@example.com';

describe('ActiveCampaign connector quirks', () => {
  let fake: FakeCrmServer;
  let connector: ActiveCampaignConnector;

  beforeEach(async () => {
    fake = await startActiveCampaignFake(TOKEN, { enforceBudget: false });
    connector = new ActiveCampaignConnector(activeCampaignOptionsSchema.parse({ provider: 'activecampaign', baseUrl: fake.url, apiToken: TOKEN }));
  });
  afterEach(async () => {
    await fake.close();
  });

  const callsTo = (method: string, pathPrefix: string) =>
    fake.requests.filter((request) => request.method === method && request.path.startsWith(pathPrefix));

  it('removes a tag by deleting the contact↔tag association, not the tag', async () => {
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    await connector.addTags(id, EMAIL, ['Customer']);
    const tag = fake.state.findTagByName('Customer')!;
    const association = fake.state.findAssociation(Number(id), tag.id)!;

    await connector.removeTags(id, EMAIL, ['Customer']);

    expect(callsTo('DELETE', '/api/3/contactTags/').map((call) => call.path)).toEqual([`/api/3/contactTags/${association.id}`]);
    expect(fake.state.tags.get(tag.id)?.name).toBe('Customer');
  });

  it('picks the exact name out of the substring search instead of creating a duplicate', async () => {
    fake.state.createTag('VIP Gold');
    const vip = fake.state.createTag('VIP');
    fake.state.createTag('Former VIP');
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });

    await connector.addTags(id, EMAIL, ['VIP']);

    expect(callsTo('POST', '/api/3/tags')).toHaveLength(0);
    expect(fake.state.associationsOf(Number(id)).map((association) => association.tagId)).toEqual([vip.id]);
  });

  it('pages through a search with more matches than one page holds', async () => {
    for (let index = 0; index < 150; index += 1) fake.state.createTag(`Course ${index}`);
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });

    await connector.addTags(id, EMAIL, ['Course 149']);

    expect(callsTo('POST', '/api/3/tags')).toHaveLength(0);
    expect(await connector.readTags(id)).toEqual(['Course 149']);
  });

  it('uses a tag someone else created between our search and our create', async () => {
    const existing = fake.state.createTag('Customer');
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    fake.replyOnce('GET', '/api/3/tags', { status: 200, json: { tags: [], meta: { total: '0' } } });

    await connector.addTags(id, EMAIL, ['Customer']);

    expect(fake.state.associationsOf(Number(id)).map((association) => association.tagId)).toEqual([existing.id]);
  });

  it('does not re-apply a tag the contact already holds', async () => {
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    await connector.addTags(id, EMAIL, ['Customer']);

    await connector.addTags(id, EMAIL, ['Customer']);

    expect(callsTo('POST', '/api/3/contactTags')).toHaveLength(1);
  });

  it('treats a 200 answer saying success:false as a permanent failure', async () => {
    fake.replyOnce('POST', '/api/3/contact/sync', { status: 200, json: { success: false, message: 'Contact could not be synced' } });

    const error = await crmErrorFrom(connector.upsertContact({ email: EMAIL, firstName: null, lastName: null }));

    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('Contact could not be synced');
  });

  it('reports the 403 AC gives for a bad token as an auth error', async () => {
    const wrong = new ActiveCampaignConnector(activeCampaignOptionsSchema.parse({ provider: 'activecampaign', baseUrl: fake.url, apiToken: 'nope' }));

    const error = await crmErrorFrom(wrong.upsertContact({ email: EMAIL, firstName: null, lastName: null }));

    expect(error).toMatchObject({ kind: 'auth', details: { status: 403 } });
  });

  it('accepts the API URL with or without a pasted /api/3', () => {
    const parsed = activeCampaignOptionsSchema.parse({ provider: 'activecampaign', baseUrl: 'https://acme.api-us1.com/api/3/', apiToken: TOKEN });

    expect(parsed.baseUrl).toBe('https://acme.api-us1.com');
  });
});
