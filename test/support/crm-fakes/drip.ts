/**
 * A stateful fake of the Drip v2 endpoints the connector uses, as Drip's official docs describe
 * them (github.com/DripEmail/api-docs, source/includes/rest/*.md, cited beside each behaviour):
 * account id in the path, Basic auth with the token as user name, opaque string subscriber ids,
 * subscribers addressable by id or email, tags as plain names, `{"errors": [{code, message}]}`
 * bodies, the JSON 429, and inactive people whose every change is refused. Where Drip is silent
 * the fake picks the hostile reading (each marked "undocumented").
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

export async function startDripFake(
  accountId: string,
  apiToken: string,
  options: FakeServerOptions = {},
): Promise<FakeCrmServer> {
  return startFakeCrmServer((state: FakeCrmState) => {
    const subscriberOr404 = (request: FakeRequest, handle: (contact: FakeContact) => FakeReply): FakeReply => {
      const contact = findSubscriber(state, request.params.subscriber ?? '');
      return contact ? handle(contact) : dripError(404, 'not_found_error', 'The resource you requested was not found');
    };
    // _subscribers.md: the subscriber object, `status` "active" or "unsubscribed".
    const renderSubscriber = (contact: FakeContact) => ({
      id: `${SUBSCRIBER_ID_PREFIX}${contact.id}`,
      email: contact.email,
      first_name: contact.firstName,
      last_name: contact.lastName,
      status: contact.unsubscribed ? 'unsubscribed' : 'active',
      tags: state.tagNamesOf(contact.id),
    });
    /**
     * _subscribers.md: "All subscriber API endpoints only work with your active people. Attempting
     * to modify or delete an inactive person will result in an error." Which error is undocumented:
     * the fake answers the 403 `authorization_error` that _errors.md gives for refused state
     * transitions, the same body as a token refused for the account (the hostile reading).
     */
    const refusedAsInactive = (): FakeReply =>
      dripError(403, 'authorization_error', 'You are not authorized to access this resource');
    const unlessInactive = (contact: FakeContact, write: () => FakeReply): FakeReply =>
      contact.unsubscribed ? refusedAsInactive() : write();
    /** Drip answers only for the account the token may use; another account id is refused. */
    const inAccount = (route: FakeRoute): FakeRoute => ({
      ...route,
      handle: (request) =>
        request.params.account === accountId
          ? route.handle(request)
          : dripError(403, 'authorization_error', 'You are not authorized to access this resource'),
    });

    return {
      // _rate_limiting.md: 3,600 requests an hour; 429 with a JSON message, X-RateLimit-* headers, no Retry-After.
      budgets: [{ requests: HOURLY_LIMIT, perMs: 3_600_000 }],
      isAuthorized: ({ headers }) =>
        headers.authorization === `Basic ${Buffer.from(`${apiToken}:`).toString('base64')}`,
      unauthorized: dripError(401, 'authentication_error', 'You must be authenticated to access this resource'),
      rateLimited: () => ({
        status: 429,
        headers: { 'X-RateLimit-Limit': String(HOURLY_LIMIT), 'X-RateLimit-Remaining': '0' },
        json: {
          message: 'API rate limit exceeded. Please try again in an hour.',
          documentation: 'https://developer.drip.com/#rate-limiting',
        },
      }),
      outage: { status: 503, text: 'Service Unavailable' },
      notFound: dripError(404, 'not_found_error', 'The resource you requested was not found'),
      routes: [
        inAccount({
          method: 'GET',
          // _accounts.md "Fetch an account": `{"accounts": [{ "id", "name", ... }]}`.
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
            // _subscribers.md "Create or update a subscriber": keyed on email; names written when given.
            const existing = state.findContactByEmail(email);
            if (existing?.unsubscribed) return refusedAsInactive();
            const { contact } = state.upsertContact(
              email,
              bodyField(input, 'first_name'),
              bodyField(input, 'last_name'),
            );
            return { status: 200, json: { links: {}, subscribers: [renderSubscriber(contact)] } };
          },
        }),
        inAccount({
          method: 'GET',
          pattern: '/v2/:account/subscribers/:subscriber',
          handle: (request) =>
            subscriberOr404(request, (contact) => ({
              status: 200,
              json: { links: {}, subscribers: [renderSubscriber(contact)] },
            })),
        }),
        inAccount({
          method: 'DELETE',
          pattern: '/v2/:account/subscribers/:subscriber',
          // _subscribers.md "Delete a subscriber": 204; an inactive person: refused (see unlessInactive).
          handle: (request) =>
            subscriberOr404(request, (contact) =>
              unlessInactive(contact, () => {
                state.deleteContact(contact.id);
                return { status: 204 };
              }),
            ),
        }),
        inAccount({
          method: 'POST',
          pattern: '/v2/:account/tags',
          // _tags.md "Apply a tag to a subscriber": `{"tags": [{"email", "tag"}]}` with ONE item, 201 `{}`.
          // More items are undocumented: only the first is applied (the hostile reading). Whether a
          // missing subscriber is created is undocumented: 404 here.
          handle: ({ body }) => {
            const taggings = bodyField(body, 'tags');
            if (!Array.isArray(taggings) || taggings.length === 0)
              return dripError(422, 'presence_error', 'Tags must be present', 'tags');
            const tagging: unknown = taggings[0];
            const contact = state.findContactByEmail(String(bodyField(tagging, 'email')));
            const tag = bodyField(tagging, 'tag');
            if (!contact) return dripError(404, 'not_found_error', 'The resource you requested was not found');
            if (typeof tag !== 'string' || tag === '')
              return dripError(422, 'presence_error', 'Tag must be present', 'tag');
            return unlessInactive(contact, () => {
              state.applyTag(contact.id, state.ensureTag(tag).id);
              return { status: 201, json: {} };
            });
          },
        }),
        inAccount({
          method: 'DELETE',
          pattern: '/v2/:account/subscribers/:subscriber/tags/:tag',
          // _tags.md "Remove a tag from a subscriber": 204. An absent tag: undocumented, 204 here.
          handle: (request) =>
            subscriberOr404(request, (contact) =>
              unlessInactive(contact, () => {
                const tag = state.findTagByName(request.params.tag ?? '');
                if (tag) state.removeTag(contact.id, tag.id);
                return { status: 204 };
              }),
            ),
        }),
      ],
    };
  }, options);
}

/** Drip addresses a subscriber by its id or its email address. */
function findSubscriber(state: FakeCrmState, idOrEmail: string): FakeContact | undefined {
  if (idOrEmail.includes('@')) return state.findContactByEmail(idOrEmail);
  return idOrEmail.startsWith(SUBSCRIBER_ID_PREFIX)
    ? state.contacts.get(Number(idOrEmail.slice(SUBSCRIBER_ID_PREFIX.length)))
    : undefined;
}

function dripError(status: number, code: string, message: string, attribute?: string): FakeReply {
  return { status, json: { errors: [{ code, message, ...(attribute === undefined ? {} : { attribute }) }] } };
}
