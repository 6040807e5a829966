/**
 * A stateful fake of the Ontraport v1 endpoints the connector uses, as https://api.ontraport.com/doc/
 * and the clients that follow it describe them (sources beside each behaviour; docs/crm-apis.md,
 * Ontraport): the `{code, data, account_id}` envelope with string ids, saveorupdate answering
 * `data.id` for a new contact but `data.attrs.id` for an existing one, tagByName (auto-creating,
 * ignoring unknown names), `contact_cat` as delimited tag ids, 50-per-page tag lists, plain-text
 * errors, and 429s with `X-Rate-Limit-Reset`. Where Ontraport is silent the fake picks the hostile
 * reading (marked "undocumented").
 */
import type { FakeContact, FakeCrmState } from './fake-crm-state.ts';
import { isPlausibleEmail } from '../../../src/adapters/crm/memory/plausible-email.ts';
import {
  bodyField,
  startFakeCrmServer,
  type FakeCrmServer,
  type FakeReply,
  type FakeServerOptions,
} from './fake-crm-server.ts';

const ACCOUNT_ID = '50';

export interface OntraportFakeOptions extends FakeServerOptions {
  /**
   * How tagByName finds an existing tag by name, for adding and removing alike. Ontraport does not
   * document whether "vip" finds "VIP"; the default is the hostile reading for Handoff (the tag
   * held keeps its own spelling, so a read never shows the name Handoff applied), and tests run both.
   */
  tagNameMatch?: 'case-insensitive' | 'exact';
}
/** "range ... maximum 50" (api.ontraport.com/doc, pagination): larger ranges are cut to 50. */
const MAX_PAGE_SIZE = 50;
const RATE_LIMIT = 180;

export async function startOntraportFake(
  appId: string,
  apiKey: string,
  options: OntraportFakeOptions = {},
): Promise<FakeCrmServer> {
  const tagNameMatch = options.tagNameMatch ?? 'case-insensitive';
  return startFakeCrmServer((state: FakeCrmState) => {
    const renderContact = (contact: FakeContact) => ({
      id: String(contact.id),
      email: contact.email,
      firstname: contact.firstName ?? '',
      lastname: contact.lastName ?? '',
      contact_cat: contactCat(state, contact.id),
    });
    const eachNamedTag = (
      body: unknown,
      namesKey: string,
      apply: (contactId: number, name: string) => void,
    ): FakeReply => {
      const ids = bodyField(body, 'ids');
      const names = bodyField(body, namesKey);
      if (bodyField(body, 'objectID') !== 0 || !Array.isArray(ids) || !Array.isArray(names))
        return plain(400, 'Invalid request');
      // `ids` is a selection (the official clients pass it as search options, HanumanInstitute.OntraportApi
      // OntraportObjects.AddTagNamesAsync → AddSearchOptions): an id that selects no contact (deleted)
      // is skipped and the answer is the usual success. Undocumented; the hostile reading.
      for (const contactId of ids.map(Number)) {
        if (!state.contacts.has(contactId)) continue;
        for (const name of names) if (typeof name === 'string') apply(contactId, name);
      }
      return envelope('The tag is now being processed.');
    };

    return {
      // api.ontraport.com/doc, rate limiting: 180 requests a minute per account, X-Rate-Limit-Limit,
      // -Remaining and -Reset (seconds) headers, no Retry-After.
      budgets: [{ requests: RATE_LIMIT, perMs: 60_000 }],
      isAuthorized: ({ headers }) => headers['api-appid'] === appId && headers['api-key'] === apiKey,
      unauthorized: plain(401, 'Your App ID and API Key do not match.'),
      rateLimited: (seconds) => ({
        status: 429,
        headers: {
          'X-Rate-Limit-Limit': String(RATE_LIMIT),
          'X-Rate-Limit-Remaining': '0',
          'X-Rate-Limit-Reset': String(seconds),
        },
        text: `You have exceeded your maximum rate limit of ${RATE_LIMIT} requests per minute.`,
      }),
      outage: plain(500, 'Internal Server Error'),
      notFound: plain(404, 'Object not found'),
      routes: [
        {
          method: 'POST',
          pattern: '/1/Contacts/saveorupdate',
          handle: ({ body }) => {
            const email = bodyField(body, 'email');
            if (!isPlausibleEmail(email)) return plain(422, 'Invalid email address');
            const { contact, created } = state.upsertContact(
              email,
              bodyField(body, 'firstname'),
              bodyField(body, 'lastname'),
            );
            return envelope(created ? renderContact(contact) : { attrs: renderContact(contact) });
          },
        },
        {
          method: 'GET',
          pattern: '/1/object',
          handle: ({ query }) => {
            const contact = query.get('objectID') === '0' ? state.contacts.get(Number(query.get('id'))) : undefined;
            return contact ? envelope(renderContact(contact)) : plain(404, 'Object not found');
          },
        },
        {
          method: 'DELETE',
          pattern: '/1/object',
          handle: ({ query }) =>
            query.get('objectID') === '0' && state.deleteContact(Number(query.get('id')))
              ? envelope(undefined)
              : plain(404, 'Object not found'),
        },
        {
          method: 'GET',
          pattern: '/1/Tags',
          handle: ({ query }) => {
            const start = Number(query.get('start') ?? 0);
            const range = Math.min(Number(query.get('range') ?? MAX_PAGE_SIZE), MAX_PAGE_SIZE);
            const page = [...state.tags.values()].slice(start, start + range);
            return envelope(page.map((tag) => ({ tag_id: String(tag.id), tag_name: tag.name, object_type_id: '0' })));
          },
        },
        {
          method: 'PUT',
          pattern: '/1/objects/tagByName',
          // PUT /objects/tagByName {objectID, ids, add_names}: "will create the tag if it doesn't exist"
          // (HanumanInstitute.OntraportApi OntraportObjects.cs, WP Fusion's Ontraport class); "exists"
          // by name as `tagNameMatch` says. The answer says only that the tag "is now being processed".
          handle: ({ body }) =>
            eachNamedTag(body, 'add_names', (contactId, name) =>
              state.applyTag(contactId, (state.findTagByName(name, tagNameMatch) ?? state.createTag(name)).id),
            ),
        },
        {
          method: 'DELETE',
          pattern: '/1/objects/tagByName',
          // DELETE /objects/tagByName {objectID, ids, remove_names}: "Nonexistent tag names are ignored".
          handle: ({ body }) =>
            eachNamedTag(body, 'remove_names', (contactId, name) => {
              const tag = state.findTagByName(name, tagNameMatch);
              if (tag) state.removeTag(contactId, tag.id);
            }),
        },
      ],
    };
  }, options);
}

/** Ontraport's `contact_cat`: tag ids wrapped and joined by the three characters star, slash, star. */
function contactCat(state: FakeCrmState, contactId: number): string {
  const tagIds = state.associationsOf(contactId).map((association) => association.tagId);
  return tagIds.length === 0 ? '' : `*/*${tagIds.join('*/*')}*/*`;
}

function envelope(data: unknown): FakeReply {
  return { status: 200, json: { code: 0, data, account_id: ACCOUNT_ID } };
}

function plain(status: number, text: string): FakeReply {
  return { status, text };
}
