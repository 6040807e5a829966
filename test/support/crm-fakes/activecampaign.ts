/**
 * A stateful fake of the ActiveCampaign v3 endpoints the connector uses, with AC's shapes: string
 * ids, the tag name under `tag`, `contactTags` associations with their own ids, 403 for a bad
 * token, 422 `errors[]` for validation, 429 with `Retry-After`.
 *
 * Sources, cited beside each behaviour (AC = https://developers.activecampaign.com/reference):
 * AC/pagination, AC/contact-tags, AC/rate-limits, AC/sync-a-contacts-data, AC/create-a-new-tag,
 * AC/list-all-tags; the shapes also follow the official-client-like n8n node
 * (n8n-io/n8n packages/nodes-base/nodes/ActiveCampaign) and WP Fusion's AC class. Where AC is
 * silent the fake takes the most hostile plausible reading, and says so.
 */
import type { FakeAssociation, FakeContact, FakeCrmState, FakeTag } from './fake-crm-state.ts';
import { isPlausibleEmail } from '../../../src/adapters/crm/memory/plausible-email.ts';
import {
  bodyField,
  numericParam,
  startFakeCrmServer,
  type FakeCrmServer,
  type FakeReply,
  type FakeServerOptions,
} from './fake-crm-server.ts';

const CDATE = '2026-01-01T00:00:00-06:00';
/** AC/pagination: "limit" defaults to 20 and cannot exceed 100; "offset" skips rows. */
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;

export async function startActiveCampaignFake(
  apiToken: string,
  options: FakeServerOptions = {},
): Promise<FakeCrmServer> {
  return startFakeCrmServer(
    (state: FakeCrmState) => ({
      budgets: [{ requests: 5, perMs: 1000 }],
      isAuthorized: (request) => request.headers['api-token'] === apiToken,
      unauthorized: { status: 403, json: { message: 'You are not authorized to access this resource' } },
      // AC/rate-limits: 5 requests per second per account; over it, 429 with `Retry-After` (seconds)
      // and `RateLimit-*` headers. (A 429 without `Retry-After` is scripted per test with replyOnce.)
      rateLimited: (seconds) => ({
        status: 429,
        headers: { 'Retry-After': String(seconds), 'RateLimit-Limit': '5', 'RateLimit-Remaining': '0' },
        json: { message: 'Too Many Requests' },
      }),
      outage: { status: 503, text: '<html><body><h1>503 Service Unavailable</h1></body></html>' },
      notFound: noResult('route'),
      routes: [
        // AC/users "Retrieve logged-in user": `{ user: { id, username, ... } }`.
        {
          method: 'GET',
          pattern: '/api/3/users/me',
          handle: () => ({ status: 200, json: { user: { id: '1', username: 'admin' } } }),
        },
        {
          method: 'POST',
          pattern: '/api/3/contact/sync',
          handle: ({ body }) => {
            const input = bodyField(body, 'contact');
            const email = bodyField(input, 'email');
            if (!isPlausibleEmail(email)) return validationError('Contact Email is not valid.', 'email_invalid');
            const { contact, created } = state.upsertContact(
              email,
              bodyField(input, 'firstName'),
              bodyField(input, 'lastName'),
            );
            return { status: created ? 201 : 200, json: { contact: renderContact(contact), fieldValues: [] } };
          },
        },
        {
          method: 'DELETE',
          pattern: '/api/3/contacts/:id',
          handle: (request) =>
            state.deleteContact(numericParam(request, 'id')) ? { status: 200, json: {} } : noResult('Subscriber'),
        },
        {
          method: 'GET',
          pattern: '/api/3/contacts/:id/contactTags',
          handle: (request) => {
            const contactId = numericParam(request, 'id');
            // A deleted contact: AC answers 404 "No Result found for Subscriber" (WP Fusion's AC class keys on it).
            if (!state.contacts.has(contactId)) return noResult('Subscriber');
            // AC/contact-tags, AC/pagination: 20 rows unless `limit` (at most 100) says otherwise.
            const rows = state.associationsOf(contactId);
            return {
              status: 200,
              json: {
                contactTags: pageOf(rows, request.query).map(renderContactTag),
                meta: { total: String(rows.length) },
              },
            };
          },
        },
        {
          method: 'GET',
          pattern: '/api/3/tags',
          handle: ({ query }) => {
            // AC/list-all-tags: `search` matches part of the name, in any letter case (WP Fusion filters
            // the answer for the exact name for this reason); paginated like every list.
            const search = (query.get('search') ?? '').toLowerCase();
            const matches = [...state.tags.values()].filter((tag) => tag.name.toLowerCase().includes(search));
            return {
              status: 200,
              json: { tags: pageOf(matches, query).map(renderTag), meta: { total: String(matches.length) } },
            };
          },
        },
        {
          method: 'GET',
          pattern: '/api/3/tags/:id',
          handle: (request) => {
            const tag = state.tags.get(numericParam(request, 'id'));
            return tag ? { status: 200, json: { tag: renderTag(tag) } } : noResult('Tag');
          },
        },
        {
          method: 'POST',
          pattern: '/api/3/tags',
          handle: ({ body }) => {
            const name = bodyField(bodyField(body, 'tag'), 'tag');
            if (typeof name !== 'string' || name === '') return validationError('Tag name is required.', 'required');
            // Tag names are unique regardless of letter case: creating "VIP" when "vip" exists is
            // refused (issue 11, seen on a real account; AC/create-a-new-tag does not say what the
            // refusal looks like, so the fake answers the 422 `duplicate` AC gives for a duplicate contact).
            if (state.findTagByName(name, 'case-insensitive'))
              return validationError('Tag already exists.', 'duplicate');
            return { status: 201, json: { tag: renderTag(state.createTag(name)) } };
          },
        },
        {
          method: 'POST',
          pattern: '/api/3/contactTags',
          handle: ({ body }) => {
            const input = bodyField(body, 'contactTag');
            const contactId = Number(bodyField(input, 'contact'));
            const tagId = Number(bodyField(input, 'tag'));
            if (!state.contacts.has(contactId)) return noResult('Subscriber');
            if (!state.tags.has(tagId)) return noResult('Tag');
            const { association, created } = state.applyTag(contactId, tagId);
            // Re-applying is undocumented; the fake takes the stricter reading (422 duplicate).
            if (!created) return validationError('The contact already has this tag.', 'duplicate');
            return { status: 201, json: { contactTag: renderContactTag(association) } };
          },
        },
        {
          method: 'DELETE',
          pattern: '/api/3/contactTags/:id',
          handle: (request) =>
            state.associations.delete(numericParam(request, 'id')) ? { status: 200, json: {} } : noResult('ContactTag'),
        },
      ],
    }),
    options,
  );
}

function pageOf<T>(rows: readonly T[], query: URLSearchParams): T[] {
  const offset = Number(query.get('offset') ?? 0);
  const limit = Math.min(MAX_PAGE_SIZE, Number(query.get('limit') ?? DEFAULT_PAGE_SIZE));
  return rows.slice(offset, offset + limit);
}

function renderContact(contact: FakeContact): Record<string, unknown> {
  return {
    id: String(contact.id),
    email: contact.email,
    firstName: contact.firstName ?? '',
    lastName: contact.lastName ?? '',
    cdate: CDATE,
    links: {},
  };
}

function renderTag(tag: FakeTag): Record<string, unknown> {
  return { id: String(tag.id), tag: tag.name, tagType: 'contact', description: '', cdate: CDATE, links: {} };
}

function renderContactTag(association: FakeAssociation): Record<string, unknown> {
  return {
    id: String(association.id),
    contact: String(association.contactId),
    tag: String(association.tagId),
    cdate: CDATE,
    links: {},
  };
}

function noResult(what: string): FakeReply {
  return { status: 404, json: { message: `No Result found for ${what}` } };
}

function validationError(title: string, code: string): FakeReply {
  return { status: 422, json: { errors: [{ title, detail: '', code, source: { pointer: '/data/attributes' } }] } };
}
