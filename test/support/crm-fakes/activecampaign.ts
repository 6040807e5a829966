/**
 * A stateful fake of the ActiveCampaign v3 endpoints the connector uses, with AC's shapes: string
 * ids, the tag name under `tag`, `contactTags` associations with their own ids, 403 for a bad
 * token, 422 `errors[]` for validation, 429 with `Retry-After`.
 */
import type { FakeAssociation, FakeContact, FakeCrmState, FakeTag } from './fake-crm-state.ts';
import { isPlausibleEmail } from '../../../src/adapters/crm/memory/plausible-email.ts';
import { bodyField, numericParam, startFakeCrmServer, type FakeCrmServer, type FakeReply, type FakeServerOptions } from './fake-crm-server.ts';

const CDATE = '2026-01-01T00:00:00-06:00';

export async function startActiveCampaignFake(apiToken: string, options: FakeServerOptions = {}): Promise<FakeCrmServer> {
  return startFakeCrmServer(
    (state: FakeCrmState) => ({
      budgets: [{ requests: 5, perMs: 1000 }],
      isAuthorized: (request) => request.headers['api-token'] === apiToken,
      unauthorized: { status: 403, json: { message: 'You are not authorized to access this resource' } },
      rateLimited: (seconds) => ({
        status: 429,
        headers: { 'Retry-After': String(seconds), 'RateLimit-Limit': '5', 'RateLimit-Remaining': '0' },
        json: { message: 'Too Many Requests' },
      }),
      outage: { status: 503, text: '<html><body><h1>503 Service Unavailable</h1></body></html>' },
      notFound: noResult('route'),
      routes: [
        { method: 'GET', pattern: '/api/3/users/me', handle: () => ({ status: 200, json: { user: { id: '1', username: 'admin' } } }) },
        {
          method: 'POST',
          pattern: '/api/3/contact/sync',
          handle: ({ body }) => {
            const input = bodyField(body, 'contact');
            const email = bodyField(input, 'email');
            if (!isPlausibleEmail(email)) return validationError('Contact Email is not valid.', 'email_invalid');
            const { contact, created } = state.upsertContact(email, bodyField(input, 'firstName'), bodyField(input, 'lastName'));
            return { status: created ? 201 : 200, json: { contact: renderContact(contact), fieldValues: [] } };
          },
        },
        {
          method: 'DELETE',
          pattern: '/api/3/contacts/:id',
          handle: (request) => (state.deleteContact(numericParam(request, 'id')) ? { status: 200, json: {} } : noResult('Subscriber')),
        },
        {
          method: 'GET',
          pattern: '/api/3/contacts/:id/contactTags',
          handle: (request) => {
            const contactId = numericParam(request, 'id');
            if (!state.contacts.has(contactId)) return noResult('Subscriber');
            return { status: 200, json: { contactTags: state.associationsOf(contactId).map(renderContactTag) } };
          },
        },
        {
          method: 'GET',
          pattern: '/api/3/tags',
          handle: ({ query }) => {
            const search = (query.get('search') ?? '').toLowerCase();
            const matches = [...state.tags.values()].filter((tag) => tag.name.toLowerCase().includes(search));
            const offset = Number(query.get('offset') ?? 0);
            const limit = Number(query.get('limit') ?? 20);
            const page = matches.slice(offset, offset + limit).map(renderTag);
            return { status: 200, json: { tags: page, meta: { total: String(matches.length) } } };
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
            // Whether AC refuses a duplicate name is unverified; the fake takes the stricter reading.
            if (state.findTagByName(name)) return validationError('Tag already exists.', 'duplicate');
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
          handle: (request) => (state.associations.delete(numericParam(request, 'id')) ? { status: 200, json: {} } : noResult('ContactTag')),
        },
      ],
    }),
    options,
  );
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
  return { id: String(association.id), contact: String(association.contactId), tag: String(association.tagId), cdate: CDATE, links: {} };
}

function noResult(what: string): FakeReply {
  return { status: 404, json: { message: `No Result found for ${what}` } };
}

function validationError(title: string, code: string): FakeReply {
  return { status: 422, json: { errors: [{ title, detail: '', code, source: { pointer: '/data/attributes' } }] } };
}
