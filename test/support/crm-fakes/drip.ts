/**
 * A stateful fake of the Drip v2 endpoints the connector uses: account id in the path, Basic
 * auth with the token as user name, opaque string subscriber ids, subscribers addressable by id
 * or email, tags as plain names, `{"errors": [{code, message}]}` bodies, and the JSON 429.
 */
import type { FakeContact, FakeCrmState } from './fake-crm-state.ts';
import { isPlausibleEmail } from '../../../src/adapters/crm/memory/plausible-email.ts';
import {
  bodyField,
  startFakeCrmServer,
  type FakeCrmServer,
  type FakeReply,
  type FakeRequest,
  type FakeRoute,
  type FakeServerOptions,
} from './fake-crm-server.ts';

const SUBSCRIBER_ID_PREFIX = 'dripsub';
const HOURLY_LIMIT = 3600;

export async function startDripFake(accountId: string, apiToken: string, options: FakeServerOptions = {}): Promise<FakeCrmServer> {
  return startFakeCrmServer((state: FakeCrmState) => {
    const subscriberOr404 = (request: FakeRequest, handle: (contact: FakeContact) => FakeReply): FakeReply => {
      const contact = findSubscriber(state, request.params.subscriber ?? '');
      return contact ? handle(contact) : dripError(404, 'not_found_error', 'The resource you requested was not found');
    };
    const renderSubscriber = (contact: FakeContact) => ({
      id: `${SUBSCRIBER_ID_PREFIX}${contact.id}`,
      email: contact.email,
      first_name: contact.firstName,
      last_name: contact.lastName,
      status: 'active',
      tags: state.tagNamesOf(contact.id),
    });
    /** Drip answers only for the account the token may use; another account id is refused. */
    const inAccount = (route: FakeRoute): FakeRoute => ({
      ...route,
      handle: (request) =>
        request.params.account === accountId ? route.handle(request) : dripError(403, 'authorization_error', 'You are not authorized to access this resource'),
    });

    return {
      budgets: [{ requests: HOURLY_LIMIT, perMs: 3_600_000 }],
      isAuthorized: ({ headers }) => headers.authorization === `Basic ${Buffer.from(`${apiToken}:`).toString('base64')}`,
      unauthorized: dripError(401, 'authentication_error', 'You must be authenticated to access this resource'),
      rateLimited: () => ({
        status: 429,
        headers: { 'X-RateLimit-Limit': String(HOURLY_LIMIT), 'X-RateLimit-Remaining': '0' },
        json: { message: 'API rate limit exceeded. Please try again in an hour.', documentation: 'https://developer.drip.com/#rate-limiting' },
      }),
      outage: { status: 503, text: 'Service Unavailable' },
      notFound: dripError(404, 'not_found_error', 'The resource you requested was not found'),
      routes: [
        inAccount({
          method: 'GET',
          pattern: '/v2/accounts/:account',
          handle: () => ({ status: 200, json: { accounts: [{ id: accountId, name: 'Fake account' }] } }),
        }),
        inAccount({
          method: 'POST',
          pattern: '/v2/:account/subscribers',
          handle: ({ body }) => {
            const entries = bodyField(body, 'subscribers');
            const input: unknown = Array.isArray(entries) ? entries[0] : undefined;
            const email = bodyField(input, 'email');
            if (!isPlausibleEmail(email)) return dripError(422, 'email_error', 'Email is invalid', 'email');
            const { contact } = state.upsertContact(email, bodyField(input, 'first_name'), bodyField(input, 'last_name'));
            return { status: 200, json: { links: {}, subscribers: [renderSubscriber(contact)] } };
          },
        }),
        inAccount({
          method: 'GET',
          pattern: '/v2/:account/subscribers/:subscriber',
          handle: (request) => subscriberOr404(request, (contact) => ({ status: 200, json: { links: {}, subscribers: [renderSubscriber(contact)] } })),
        }),
        inAccount({
          method: 'DELETE',
          pattern: '/v2/:account/subscribers/:subscriber',
          handle: (request) =>
            subscriberOr404(request, (contact) => {
              state.deleteContact(contact.id);
              return { status: 204 };
            }),
        }),
        inAccount({
          method: 'POST',
          pattern: '/v2/:account/tags',
          handle: ({ body }) => {
            const taggings = bodyField(body, 'tags');
            if (!Array.isArray(taggings)) return dripError(422, 'presence_error', 'Tags must be present', 'tags');
            for (const tagging of taggings) {
              const contact = state.findContactByEmail(String(bodyField(tagging, 'email')));
              const tag = bodyField(tagging, 'tag');
              if (!contact) return dripError(404, 'not_found_error', 'The resource you requested was not found');
              if (typeof tag !== 'string' || tag === '') return dripError(422, 'presence_error', 'Tag must be present', 'tag');
              state.applyTag(contact.id, state.ensureTag(tag).id);
            }
            return { status: 201, json: {} };
          },
        }),
        inAccount({
          method: 'DELETE',
          pattern: '/v2/:account/subscribers/:subscriber/tags/:tag',
          handle: (request) =>
            subscriberOr404(request, (contact) => {
              const tag = state.findTagByName(request.params.tag ?? '');
              if (tag) state.removeTag(contact.id, tag.id);
              return { status: 204 };
            }),
        }),
      ],
    };
  }, options);
}

/** Drip addresses a subscriber by its id or its email address. */
function findSubscriber(state: FakeCrmState, idOrEmail: string): FakeContact | undefined {
  if (idOrEmail.includes('@')) return state.findContactByEmail(idOrEmail);
  return idOrEmail.startsWith(SUBSCRIBER_ID_PREFIX) ? state.contacts.get(Number(idOrEmail.slice(SUBSCRIBER_ID_PREFIX.length))) : undefined;
}

function dripError(status: number, code: string, message: string, attribute?: string): FakeReply {
  return { status, json: { errors: [{ code, message, ...(attribute === undefined ? {} : { attribute }) }] } };
}
