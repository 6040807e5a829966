/**
 * A stateful fake of the Kit v4 endpoints the connector uses: numeric ids, `{"errors": [...]}`
 * bodies, 401 for a bad key, idempotent `POST /v4/tags`, 200-vs-201 tagging, cursor pagination,
 * custom fields (unknown keys ignored with a warning), and the plain-text 429 `Retry later`
 * without headers.
 */
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

const CREATED_AT = '2026-01-01T00:00:00Z';
const DEFAULT_PAGE_SIZE = 500;

interface KitCustomField {
  id: number;
  name: string;
  key: string;
  label: string;
}

export async function startKitFake(apiKey: string, options: FakeServerOptions = {}): Promise<FakeCrmServer> {
  return startFakeCrmServer((state: FakeCrmState) => {
    const customFields: KitCustomField[] = [];
    const renderSubscriber = (contact: FakeContact) => ({
      id: contact.id,
      first_name: contact.firstName,
      email_address: contact.email,
      state: contact.unsubscribed ? 'cancelled' : 'active',
      created_at: CREATED_AT,
      fields: Object.fromEntries(customFields.map((field) => [field.key, contact.fields[field.key] ?? null])),
    });
    const subscriberOr404 = (request: FakeRequest, handle: (contact: FakeContact) => FakeReply): FakeReply => {
      const contact = state.contacts.get(numericParam(request, 'id'));
      return contact ? handle(contact) : notFound();
    };
    /** Routes naming both a tag and a subscriber answer 404 when either does not exist. */
    const taggingOr404 = (request: FakeRequest, handle: (contact: FakeContact, tagId: number) => FakeReply): FakeReply =>
      subscriberOr404(request, (contact) => {
        const tagId = numericParam(request, 'tagId');
        return state.tags.has(tagId) ? handle(contact, tagId) : notFound();
      });

    return {
      budgets: [{ requests: 120, perMs: 60_000 }],
      isAuthorized: (request) => request.headers['x-kit-api-key'] === apiKey,
      unauthorized: { status: 401, json: { errors: ['The access token is invalid'] } },
      rateLimited: () => ({ status: 429, text: 'Retry later' }),
      outage: { status: 500, json: { errors: ['Internal server error'] } },
      notFound: notFound(),
      routes: [
        {
          method: 'GET',
          pattern: '/v4/account',
          handle: () => ({ status: 200, json: { user: { email: 'owner@example.com' }, account: { id: 1, name: 'Fake' } } }),
        },
        {
          method: 'GET',
          pattern: '/v4/custom_fields',
          handle: ({ query }) => cursorPage('custom_fields', customFields, query),
        },
        {
          method: 'POST',
          pattern: '/v4/custom_fields',
          handle: ({ body }) => {
            const label = bodyField(body, 'label');
            if (typeof label !== 'string' || label === '') return unprocessable("Label can't be blank");
            const key = label.toLowerCase().replace(/[^a-z0-9]+/g, '_');
            if (customFields.some((field) => field.key === key)) return unprocessable('Label has already been taken');
            const id = customFields.length + 1;
            const field: KitCustomField = { id, name: `ck_field_${id}_${key}`, key, label };
            customFields.push(field);
            return { status: 201, json: { custom_field: field } };
          },
        },
        {
          method: 'POST',
          pattern: '/v4/subscribers',
          handle: ({ body }) => {
            const email = bodyField(body, 'email_address');
            if (!isPlausibleEmail(email)) return unprocessable('Email address is invalid');
            // Kit has no last name: only a custom field can hold one.
            const { contact, created } = state.upsertContact(email, bodyField(body, 'first_name'), undefined);
            const warnings: string[] = [];
            for (const [key, value] of Object.entries(bodyField(body, 'fields') ?? {})) {
              if (!customFields.some((field) => field.key === key)) warnings.push(`Custom field "${key}" does not exist`);
              else if (typeof value === 'string') contact.fields[key] = value;
            }
            const json = { subscriber: renderSubscriber(contact), ...(warnings.length > 0 ? { warnings } : {}) };
            return { status: created ? 201 : 200, json };
          },
        },
        {
          method: 'POST',
          pattern: '/v4/subscribers/:id/unsubscribe',
          handle: (request) =>
            subscriberOr404(request, (contact) => {
              contact.unsubscribed = true;
              return { status: 204 };
            }),
        },
        {
          method: 'GET',
          pattern: '/v4/subscribers/:id/tags',
          handle: (request) =>
            subscriberOr404(request, (contact) => {
              const held = state.associationsOf(contact.id).map((association) => state.tags.get(association.tagId)!);
              return cursorPage('tags', held.map((tag) => ({ ...renderTag(tag), tagged_at: CREATED_AT })), request.query);
            }),
        },
        {
          method: 'GET',
          pattern: '/v4/tags',
          handle: ({ query }) => cursorPage('tags', [...state.tags.values()].map(renderTag), query),
        },
        {
          method: 'POST',
          pattern: '/v4/tags',
          handle: ({ body }) => {
            const name = bodyField(body, 'name');
            if (typeof name !== 'string' || name === '') return unprocessable("Name can't be blank");
            const existing = state.findTagByName(name, 'case-insensitive');
            return existing ? { status: 200, json: { tag: renderTag(existing) } } : { status: 201, json: { tag: renderTag(state.createTag(name)) } };
          },
        },
        {
          method: 'POST',
          pattern: '/v4/tags/:tagId/subscribers/:id',
          handle: (request) =>
            taggingOr404(request, (contact, tagId) => {
              const { created } = state.applyTag(contact.id, tagId);
              return { status: created ? 201 : 200, json: { subscriber: { ...renderSubscriber(contact), tagged_at: CREATED_AT } } };
            }),
        },
        {
          method: 'DELETE',
          pattern: '/v4/tags/:tagId/subscribers/:id',
          handle: (request) =>
            taggingOr404(request, (contact, tagId) => {
              state.removeTag(contact.id, tagId);
              return { status: 204 };
            }),
        },
      ],
    };
  }, options);
}

function renderTag(tag: FakeTag): { id: number; name: string; created_at: string } {
  return { id: tag.id, name: tag.name, created_at: CREATED_AT };
}

/** Kit's cursor pagination; the fake's cursor is the index of the next item, opaque to clients. */
function cursorPage(listKey: string, items: readonly unknown[], query: URLSearchParams): FakeReply {
  const perPage = Number(query.get('per_page') ?? DEFAULT_PAGE_SIZE);
  const start = Number(query.get('after') ?? 0);
  const end = start + perPage;
  const pagination = {
    has_previous_page: start > 0,
    has_next_page: end < items.length,
    start_cursor: String(start),
    end_cursor: String(end),
    per_page: perPage,
  };
  return { status: 200, json: { [listKey]: items.slice(start, end), pagination } };
}

function notFound(): FakeReply {
  return { status: 404, json: { errors: ['Not Found'] } };
}

function unprocessable(message: string): FakeReply {
  return { status: 422, json: { errors: [message] } };
}
