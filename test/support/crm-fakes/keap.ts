/**
 * A stateful fake of the Keap REST v1 endpoints the connector uses, as Keap documents them
 * (developer.infusionsoft.com, the generated SDK docs such as infusionsoft-nodejs
 * docs/ContactApi.md; sources beside each behaviour, docs/crm-apis.md, Keap): numeric ids,
 * non-unique tag names, per-tag apply statuses, `{"message"}` errors, Apigee-style 401 faults,
 * bare 429s, and the PAT/SAK (10/s and 240/min) or OAuth (1,500/min) throttles. Where Keap is
 * silent the fake picks the hostile reading (marked "undocumented").
 */
import type { RateBudget } from '../../../src/ports/crm-connector.ts';
import type { FakeContact, FakeCrmState, FakeTag } from './fake-crm-state.ts';
import { isPlausibleEmail } from '../../../src/adapters/crm/memory/plausible-email.ts';
import {
  bodyField,
  numericParam,
  startFakeCrmServer,
  type FakeCrmServer,
  type FakeReply,
  type FakeRequest,
  type FakeServerOptions,
} from './fake-crm-server.ts';
import type { KeapKeyType } from '../../../src/adapters/crm/keap/options.ts';

const DATE_APPLIED = '2026-01-01T00:00:00.000+0000';

/** developer.infusionsoft.com/api-token-quota-and-usage-measurements ("Throttles and Quotas"). */
const THROTTLES: Record<KeapKeyType, RateBudget[]> = {
  pat: [
    { requests: 10, perMs: 1000 },
    { requests: 240, perMs: 60_000 },
  ],
  sak: [
    { requests: 10, perMs: 1000 },
    { requests: 240, perMs: 60_000 },
  ],
  oauth: [{ requests: 1500, perMs: 60_000 }],
};

export async function startKeapFake(
  apiKey: string,
  keyType: KeapKeyType,
  options: FakeServerOptions = {},
): Promise<FakeCrmServer> {
  return startFakeCrmServer((state: FakeCrmState) => {
    const contactOr404 = (request: FakeRequest, handle: (contact: FakeContact) => FakeReply): FakeReply => {
      const contact = state.contacts.get(numericParam(request, 'id'));
      return contact ? handle(contact) : { status: 404, json: { message: `Contact not found: ${request.params.id}` } };
    };
    const isAuthorized = (request: FakeRequest): boolean =>
      keyType === 'oauth'
        ? request.headers.authorization === `Bearer ${apiKey}`
        : request.headers['x-keap-api-key'] === apiKey;

    return {
      budgets: THROTTLES[keyType],
      isAuthorized,
      unauthorized:
        keyType === 'oauth'
          ? fault('Invalid Access Token', 'keymanagement.service.invalid_access_token')
          : fault('Invalid ApiKey', 'oauth.v2.InvalidApiKey'),
      rateLimited: () => ({ status: 429 }),
      outage: { status: 503, text: 'Service Unavailable' },
      notFound: { status: 404, json: { message: 'Not Found' } },
      routes: [
        {
          method: 'PUT',
          pattern: '/v1/contacts',
          // createOrUpdateContactUsingPUT (ContactApi.md): duplicate_option picks the match; 201 created, 200 updated.
          handle: ({ body }) => {
            if (bodyField(body, 'duplicate_option') !== 'Email')
              return badRequest('duplicate_option must be Email for this fake');
            const addresses = bodyField(body, 'email_addresses');
            const email = Array.isArray(addresses) ? bodyField(addresses[0], 'email') : undefined;
            if (!isPlausibleEmail(email)) return badRequest(`Invalid email address: ${String(email)}`);
            const { contact, created } = state.upsertContact(
              email,
              bodyField(body, 'given_name'),
              bodyField(body, 'family_name'),
            );
            return { status: created ? 201 : 200, json: renderContact(contact) };
          },
        },
        {
          method: 'DELETE',
          pattern: '/v1/contacts/:id',
          // deleteContactUsingDELETE (ContactApi.md): 204; an unknown id 404.
          handle: (request) =>
            contactOr404(request, (contact) => {
              state.deleteContact(contact.id);
              return { status: 204 };
            }),
        },
        {
          method: 'GET',
          pattern: '/v1/contacts/:id/tags',
          // listAppliedTagsUsingGET (ContactApi.md): limit/offset, `{tags: [{tag, date_applied}], count}`.
          handle: (request) =>
            contactOr404(request, (contact) => {
              const held = state.associationsOf(contact.id).map((association) => ({
                tag: renderTag(state.tags.get(association.tagId)!),
                date_applied: DATE_APPLIED,
              }));
              const { page, count } = offsetPage(held, request.query);
              return { status: 200, json: { tags: page, count } };
            }),
        },
        {
          method: 'POST',
          pattern: '/v1/contacts/:id/tags',
          handle: (request) =>
            contactOr404(request, (contact) => {
              const tagIds = bodyField(request.body, 'tagIds');
              if (!Array.isArray(tagIds)) return badRequest('tagIds is required');
              // Apply Tags (infusionsoft-nodejs docs/ContactApi.md, applyTagsToContactIdUsingPOST): a map of
              // tag id to status, SUCCESS being the only status documented; re-applying a held tag is
              // undocumented and answers SUCCESS here. An unknown tag id: undocumented, answered with a
              // status that is not SUCCESS (the connector must not take it for done).
              const statuses: Record<string, string> = {};
              for (const tagId of tagIds.map(Number)) {
                if (!state.tags.has(tagId)) statuses[tagId] = 'FAILURE';
                else {
                  state.applyTag(contact.id, tagId);
                  statuses[tagId] = 'SUCCESS';
                }
              }
              return { status: 200, json: statuses };
            }),
        },
        {
          method: 'DELETE',
          pattern: '/v1/contacts/:id/tags',
          // removeTagsFromContactUsingDELETE1 (ContactApi.md): `?ids=1,2`, 204; ids not held: undocumented, ignored.
          handle: (request) =>
            contactOr404(request, (contact) => {
              for (const tagId of (request.query.get('ids') ?? '').split(','))
                state.removeTag(contact.id, Number(tagId));
              return { status: 204 };
            }),
        },
        {
          method: 'GET',
          pattern: '/v1/tags',
          handle: ({ query }) => {
            const name = query.get('name');
            const matching = [...state.tags.values()]
              .filter((tag) => name === null || tag.name === name)
              .map(renderTag);
            const { page, count } = offsetPage(matching, query);
            return { status: 200, json: { tags: page, count, next: '' } };
          },
        },
        {
          method: 'POST',
          pattern: '/v1/tags',
          handle: ({ body }) => {
            const name = bodyField(body, 'name');
            if (typeof name !== 'string' || name === '') return badRequest('name is required');
            // Tag names are not documented as unique: the fake keeps duplicates apart (by id).
            return { status: 201, json: renderTag(state.createTag(name)) };
          },
        },
      ],
    };
  }, options);
}

function renderContact(contact: FakeContact): Record<string, unknown> {
  return {
    id: contact.id,
    given_name: contact.firstName,
    family_name: contact.lastName,
    email_addresses: [{ email: contact.email, field: 'EMAIL1' }],
  };
}

function renderTag(tag: FakeTag): Record<string, unknown> {
  return { id: tag.id, name: tag.name, description: '', category: null };
}

function offsetPage<Item>(items: readonly Item[], query: URLSearchParams): { page: Item[]; count: number } {
  const offset = Number(query.get('offset') ?? 0);
  const limit = Number(query.get('limit') ?? 1000);
  return { page: items.slice(offset, offset + limit), count: items.length };
}

function badRequest(message: string): FakeReply {
  return { status: 400, json: { message } };
}

function fault(faultstring: string, errorcode: string): FakeReply {
  return { status: 401, json: { fault: { faultstring, detail: { errorcode } } } };
}
