import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import { ActiveCampaignConnector } from '../../src/adapters/crm/activecampaign/connector.ts';
import { activeCampaignKey, activeCampaignOptionsSchema } from '../../src/adapters/crm/activecampaign/options.ts';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { crmErrorFrom } from './rejection.ts';

const TOKEN = 'ac-token-abcdef';
const EMAIL = 'ada@example.com';

describe('ActiveCampaign connector quirks', () => {
  let fake: FakeCrmServer;
  let connector: ActiveCampaignConnector;

  beforeEach(async () => {
    fake = await startActiveCampaignFake(TOKEN, { enforceBudget: false });
    connector = new ActiveCampaignConnector(
      activeCampaignOptionsSchema.parse({ provider: 'activecampaign', baseUrl: fake.url, apiKey: TOKEN }),
    );
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

    expect(callsTo('DELETE', '/api/3/contactTags/').map((call) => call.path)).toEqual([
      `/api/3/contactTags/${association.id}`,
    ]);
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

  it('applies a tag in one request once the tag is known, and takes re-applying a held tag as done', async () => {
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    await connector.addTags(id, EMAIL, ['Customer']);
    const before = fake.requests.length;

    await connector.addTags(id, EMAIL, ['Customer']);

    expect(fake.requests.slice(before).map((call) => `${call.method} ${call.path}`)).toEqual([
      'POST /api/3/contactTags',
    ]);
    expect(fake.state.tagNamesOf(Number(id))).toEqual(['Customer']);
  });

  it("reads every page of a contact's tags: a tag past the 20th is seen and removed", async () => {
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    // Tags other automations put on the contact: more than one page of 20, and more than a page of 100.
    for (let index = 0; index < 130; index += 1) fake.state.tagOutsideHandoff(EMAIL, `Automation ${index}`);
    fake.state.tagOutsideHandoff(EMAIL, 'Customer');

    expect(await connector.readTags(id)).toHaveLength(131);
    await connector.removeTags(id, EMAIL, ['Customer']);

    expect(fake.state.tagNamesOf(Number(id))).not.toContain('Customer');
    expect(fake.state.tagNamesOf(Number(id))).toHaveLength(130);
  });

  it('uses a tag the account holds in other letter case instead of failing to create it', async () => {
    const existing = fake.state.createTag('vip');
    fake.state.createTag('VIP Gold');
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });

    await connector.addTags(id, EMAIL, ['VIP']);

    expect(fake.state.associationsOf(Number(id)).map((association) => association.tagId)).toEqual([existing.id]);
    expect([...fake.state.tags.values()].filter((tag) => tag.name.toLowerCase() === 'vip')).toHaveLength(1);
    await connector.removeTags(id, EMAIL, ['VIP']);
    expect(fake.state.associationsOf(Number(id))).toEqual([]);
  });

  it('is refused when it creates a tag the account holds in other letter case (the fake is as strict as AC)', async () => {
    fake.state.createTag('vip');
    const response = await fetch(`${fake.url}/api/3/tags`, {
      method: 'POST',
      headers: { 'api-token': TOKEN, 'content-type': 'application/json' },
      body: JSON.stringify({ tag: { tag: 'VIP', tagType: 'contact' } }),
    });

    expect(response.status).toBe(422);
  });

  it('check() makes a round trip and refuses an answer that is not a user', async () => {
    await connector.check();
    fake.replyOnce('GET', '/api/3/users/me', { status: 200, json: {} });

    const error = await crmErrorFrom(connector.check());

    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('unusable answer');
  });

  it('reports a 429 as rate limited, with the wait when Retry-After gives one and without when it does not', async () => {
    fake.replyOnce('POST', '/api/3/contact/sync', {
      status: 429,
      headers: { 'Retry-After': '3' },
      json: { message: 'Too Many Requests' },
    });
    fake.replyOnce('POST', '/api/3/contact/sync', { status: 429, json: { message: 'Too Many Requests' } });

    const withWait = await crmErrorFrom(connector.upsertContact({ email: EMAIL, firstName: null, lastName: null }));
    const withoutWait = await crmErrorFrom(connector.upsertContact({ email: EMAIL, firstName: null, lastName: null }));

    expect(withWait).toMatchObject({ kind: 'rate_limited', details: { retryAfterMs: 3000 } });
    expect(withoutWait.kind).toBe('rate_limited');
    expect(withoutWait.details.retryAfterMs).toBeUndefined();
  });

  it('answers 404 for the tags of a contact deleted in AC, which the sync takes as "look the person up again"', async () => {
    const id = await connector.upsertContact({ email: EMAIL, firstName: null, lastName: null });
    fake.state.deleteContact(Number(id));

    const error = await crmErrorFrom(connector.addTags(id, EMAIL, ['Customer']));

    expect(error).toMatchObject({ kind: 'permanent', details: { status: 404 } });
  });

  it('treats a 200 answer saying success:false as a permanent failure', async () => {
    fake.replyOnce('POST', '/api/3/contact/sync', {
      status: 200,
      json: { success: false, message: 'Contact could not be synced' },
    });

    const error = await crmErrorFrom(connector.upsertContact({ email: EMAIL, firstName: null, lastName: null }));

    expect(error.kind).toBe('permanent');
    expect(error.message).toContain('Contact could not be synced');
  });

  it('reports the 403 AC gives for a bad token as an auth error', async () => {
    const wrong = new ActiveCampaignConnector(
      activeCampaignOptionsSchema.parse({ provider: 'activecampaign', baseUrl: fake.url, apiKey: 'nope' }),
    );

    const error = await crmErrorFrom(wrong.upsertContact({ email: EMAIL, firstName: null, lastName: null }));

    expect(error).toMatchObject({ kind: 'auth', details: { status: 403 } });
  });

  it('accepts the API URL with or without a pasted /api/3', () => {
    const parsed = activeCampaignOptionsSchema.parse({
      provider: 'activecampaign',
      baseUrl: 'https://acme.api-us1.com/api/3/',
      apiKey: TOKEN,
    });

    expect(parsed.baseUrl).toBe('https://acme.api-us1.com');
  });

  it("takes the key as apiKey, ActiveCampaign's own name, or as apiToken, the older name", () => {
    const base = { provider: 'activecampaign', baseUrl: 'https://acme.api-us1.com' };

    expect(activeCampaignKey(activeCampaignOptionsSchema.parse({ ...base, apiKey: TOKEN }))).toBe(TOKEN);
    expect(activeCampaignKey(activeCampaignOptionsSchema.parse({ ...base, apiToken: TOKEN }))).toBe(TOKEN);
    const missing = activeCampaignOptionsSchema.safeParse(base);
    expect(missing.error?.issues).toEqual([
      expect.objectContaining({ path: ['apiKey'], message: expect.stringContaining('API Key') }),
    ]);
  });

  describe('bulk import (the launch accelerator)', () => {
    const people = (count: number) =>
      Array.from({ length: count }, (_, index) => ({
        email: `buyer-${index}@example.com`,
        firstName: index === 0 ? 'Ada' : null,
        lastName: null,
        tags: ['Focus - Access'],
      }));

    it('imports people by e-mail with their tags, using a tag the account holds in other letter case', async () => {
      // A fake that applies an import before answering (AC does it later; how much later is not documented).
      const importing = await startActiveCampaignFake(TOKEN, { enforceBudget: false, importDelayMs: 0 });
      try {
        const bulk = new ActiveCampaignConnector(
          activeCampaignOptionsSchema.parse({ provider: 'activecampaign', baseUrl: importing.url, apiKey: TOKEN }),
        );
        const held = importing.state.createTag('focus - access');
        importing.state.upsertContact('buyer-1@example.com', 'Grace', 'Hopper');

        await bulk.bulkTagger.queue(people(11));

        for (const person of people(11)) {
          const contact = importing.state.findContactByEmail(person.email)!;
          expect(importing.state.associationsOf(contact.id).map((association) => association.tagId)).toEqual([held.id]);
        }
        expect(importing.state.findContactByEmail('buyer-0@example.com')?.firstName).toBe('Ada');
        // A name Handoff does not know is left as it is, never blanked.
        expect(importing.state.findContactByEmail('buyer-1@example.com')).toMatchObject({
          firstName: 'Grace',
          lastName: 'Hopper',
        });
      } finally {
        await importing.close();
      }
    });

    it('follows the batch by the id AC answered, finished only once import/info says so (false right after, then waiting)', async () => {
      let now = Date.UTC(2026, 11, 2);
      const importing = await startActiveCampaignFake(TOKEN, {
        enforceBudget: false,
        importDelayMs: 'held',
        now: () => now,
      });
      try {
        const bulk = new ActiveCampaignConnector(
          activeCampaignOptionsSchema.parse({ provider: 'activecampaign', baseUrl: importing.url, apiKey: TOKEN }),
        );

        const { batchId } = await bulk.bulkTagger.queue(people(11));
        // Asked at once: AC may answer `status: false`, which is not finished.
        expect(await bulk.bulkTagger.batchStatus(batchId)).toBe('pending');
        importing.applyHeldImports();
        now += 2_000;

        expect(await bulk.bulkTagger.batchStatus(batchId)).toBe('finished');
        expect(importing.requests.filter((request) => request.path === '/api/3/import/info')).toHaveLength(2);
      } finally {
        await importing.close();
      }
    });

    it('finds the record an import created by the e-mail it carried, and null where there is none', async () => {
      const imported = fake.state.upsertContact('buyer-0@example.com', null, null).contact;

      expect(await connector.bulkTagger.findContactId('buyer-0@example.com')).toBe(String(imported.id));
      expect(await connector.bulkTagger.findContactId('nobody@example.com')).toBeNull();
      expect(fake.requests.at(-1)).toMatchObject({ method: 'GET', path: '/api/3/contacts' });
    });

    it('takes an answer without the documented batchId as unusable, never as queued', async () => {
      fake.answerEverything({ status: 200, json: { success: 1 } });

      const error = await crmErrorFrom(connector.bulkTagger.queue(people(11)));

      expect(error).toMatchObject({ kind: 'permanent', details: { status: 200 } });
    });
  });
});
