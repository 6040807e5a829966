/**
 * A stateful fake of the Kit v4 endpoints the connector uses, as Kit's API reference documents
 * them (https://developers.kit.com/api-reference/..., cited beside each route): numeric ids,
 * `{"errors": [...]}` bodies, 401 for a bad key, idempotent `POST /v4/tags`, 200-vs-201 tagging,
 * opaque cursor pagination, custom fields, and the plain-text 429 `Retry later` without headers.
 * Where Kit is silent the fake picks the hostile reading (each marked "undocumented").
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
/** "Number of results per page. Default 500, maximum 1000." (every v4 list, e.g. list-tags-for-a-subscriber). */
const DEFAULT_PAGE_SIZE = 500;
const MAX_PAGE_SIZE = 1000;

export interface KitFakeOptions extends FakeServerOptions {
  /**
   * How `POST /v4/tags` matches an existing name. Kit's reference says only "Returns the tag if it
   * already exists": undocumented whether "vip" finds "VIP", so tests run both readings.
   */
  tagNameMatch?: 'case-insensitive' | 'exact';
}

interface KitCustomField {
  id: number;
  name: string;
  key: string;
  label: string;
}

export async function startKitFake(apiKey: string, options: KitFakeOptions = {}): Promise<FakeCrmServer> {
  const tagNameMatch = options.tagNameMatch ?? 'case-insensitive';
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
    const taggingOr404 = (
      request: FakeRequest,
      handle: (contact: FakeContact, tagId: number) => FakeReply,
    ): FakeReply =>
      subscriberOr404(request, (contact) => {
        const tagId = numericParam(request, 'tagId');
        return state.tags.has(tagId) ? handle(contact, tagId) : notFound();
      });

    /** Custom field values by key; an unknown key is a 422 ("Passing an unknown key returns a 422 error", create/update-a-subscriber). */
    const unknownFieldKey = (fields: unknown): string | undefined =>
      Object.keys(typeof fields === 'object' && fields !== null ? fields : {}).find(
        (key) => !customFields.some((field) => field.key === key),
      );
    const writeFields = (contact: FakeContact, fields: unknown): void => {
      for (const [key, value] of Object.entries(typeof fields === 'object' && fields !== null ? fields : {})) {
        if (typeof value === 'string') contact.fields[key] = value;
      }
    };

    return {
      // "API Key: 120 requests over a rolling 60 second period" (developers.kit.com/api-reference/rate-limits).
      budgets: [{ requests: 120, perMs: 60_000 }],
      isAuthorized: (request) => request.headers['x-kit-api-key'] === apiKey,
      unauthorized: { status: 401, json: { errors: ['The access token is invalid'] } },
      // "a 429 ... with the body Retry later", no Retry-After nor rate headers (api-reference/rate-limits).
      rateLimited: () => ({ status: 429, text: 'Retry later' }),
      outage: { status: 500, json: { errors: ['Internal server error'] } },
      notFound: notFound(),
      routes: [
        {
          method: 'GET',
          pattern: '/v4/account',
          // api-reference/accounts/get-current-account
          handle: () => ({
            status: 200,
            json: { user: { email: 'owner@example.com' }, account: { id: 1, name: 'Fake', plan_type: 'creator' } },
          }),
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
          // api-reference/subscribers/create-a-subscriber: "Behaves as an upsert. ... If a subscriber with
          // the provided email address already exists, it updates the first name." 201 created, 200
          // existing. Fields of an existing subscriber are not said to be written: they are not.
          handle: ({ body }) => {
            const email = bodyField(body, 'email_address');
            if (!isPlausibleEmail(email)) return unprocessable('Email address is invalid');
            const fields = bodyField(body, 'fields');
            const unknownKey = unknownFieldKey(fields);
            if (unknownKey !== undefined) return unprocessable(`Custom field "${unknownKey}" does not exist`);
            // Kit has no last name: only a custom field can hold one.
            const { contact, created } = state.upsertContact(email, bodyField(body, 'first_name'), undefined);
            if (created) writeFields(contact, fields);
            return { status: created ? 201 : 200, json: { subscriber: renderSubscriber(contact) } };
          },
        },
        {
          method: 'PUT',
          pattern: '/v4/subscribers/:id',
          // api-reference/subscribers/update-a-subscriber: email_address required, first_name and fields
          // optional. Undocumented what a missing first_name does: it is cleared here.
          handle: (request) =>
            subscriberOr404(request, (contact) => {
              const email = bodyField(request.body, 'email_address');
              if (!isPlausibleEmail(email)) return unprocessable('Email address is invalid');
              const fields = bodyField(request.body, 'fields');
              const unknownKey = unknownFieldKey(fields);
              if (unknownKey !== undefined) return unprocessable(`Custom field "${unknownKey}" does not exist`);
              const firstName = bodyField(request.body, 'first_name');
              contact.email = email;
              contact.firstName = typeof firstName === 'string' ? firstName : null;
              writeFields(contact, fields);
              return { status: 200, json: { subscriber: renderSubscriber(contact) } };
            }),
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
              return cursorPage(
                'tags',
                held.map((tag) => ({ ...renderTag(tag), tagged_at: CREATED_AT })),
                request.query,
              );
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
            // api-reference/tags/create-a-tag: 200 "Returns the tag if it already exists", 201 "Creates the tag".
            const existing = state.findTagByName(name, tagNameMatch);
            return existing
              ? { status: 200, json: { tag: renderTag(existing) } }
              : { status: 201, json: { tag: renderTag(state.createTag(name)) } };
          },
        },
        {
          method: 'POST',
          pattern: '/v4/tags/:tagId/subscribers/:id',
          // api-reference/tags/tag-a-subscriber: "The subscriber being tagged must already exist"; 201
          // tagged, 200 "when the subscriber already has the tag".
          handle: (request) =>
            taggingOr404(request, (contact, tagId) => {
              const { created } = state.applyTag(contact.id, tagId);
              return {
                status: created ? 201 : 200,
                json: { subscriber: { ...renderSubscriber(contact), tagged_at: CREATED_AT } },
              };
            }),
        },
        {
          method: 'DELETE',
          pattern: '/v4/tags/:tagId/subscribers/:id',
          // api-reference/tags/remove-tag-from-subscriber: 204; 404 for an unknown tag or subscriber.
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

/**
 * Kit's cursor pagination ("To fetch next page of results, use ?after=<end_cursor>"): opaque
 * base64 cursors, `per_page` capped at 1000, `pagination.has_next_page` / `end_cursor`.
 */
function cursorPage(listKey: string, items: readonly unknown[], query: URLSearchParams): FakeReply {
  const perPage = Math.min(Number(query.get('per_page') ?? DEFAULT_PAGE_SIZE), MAX_PAGE_SIZE);
  const after = query.get('after');
  const start = after === null ? 0 : Number(Buffer.from(after, 'base64url').toString('utf8').replace('position:', ''));
  const end = start + perPage;
  const cursor = (position: number) => Buffer.from(`position:${position}`).toString('base64url');
  const pagination = {
    has_previous_page: start > 0,
    has_next_page: end < items.length,
    start_cursor: cursor(start),
    end_cursor: cursor(end),
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
