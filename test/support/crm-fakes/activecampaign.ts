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

/** AC/bulk-import-contacts: "Contacts can be imported in batches of up to 250 items". */
const MAX_IMPORT_CONTACTS = 250;

export interface ActiveCampaignFakeOptions extends FakeServerOptions {
  /**
   * How long after `POST /api/3/import/bulk_import` the import is applied. AC processes imports
   * asynchronously and does not say how soon: 5 s by default (so nothing may count on it being
   * done), 0 to apply it before answering, `held` to apply it only when the test calls
   * `applyHeldImports()` (as late as AC may).
   */
  importDelayMs?: number | 'held';
}

export interface ActiveCampaignFake extends FakeCrmServer {
  /** Applies every import accepted in `held` mode and not applied yet. */
  applyHeldImports(): void;
}

/** What `GET /api/3/import/info` reports of one batch. */
interface ImportBatch {
  acceptedAt: number;
  applied: boolean;
  /** Ids of the contacts the import created. */
  created: string[];
}

/** AC/bulk-import-status-info: `status` "may be false" when asked "less than a second" after the import call. */
const STATUS_UNSET_FOR_MS = 1_000;

export async function startActiveCampaignFake(
  apiToken: string,
  options: ActiveCampaignFakeOptions = {},
): Promise<ActiveCampaignFake> {
  const importDelayMs = options.importDelayMs ?? 5_000;
  const now = options.now ?? Date.now;
  let nextBatch = 1;
  const batches = new Map<string, ImportBatch>();
  const held: (() => void)[] = [];
  const server = await startFakeCrmServer(
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
        {
          method: 'POST',
          pattern: '/api/3/import/bulk_import',
          // AC/bulk-import-contacts: `{contacts: [{email, first_name?, last_name?, tags?: [names]}]}`, each
          // created or updated by e-mail and tagged (a missing tag is created; an existing one is used
          // whatever its letter case, as everywhere in AC); answers `{success: 1, queued_contacts,
          // batchId}` at once and imports later. A bad payload is a 400 that imports nothing.
          handle: ({ body }) => {
            const contacts = bodyField(body, 'contacts');
            if (!Array.isArray(contacts) || contacts.length === 0 || contacts.length > MAX_IMPORT_CONTACTS)
              return { status: 400, json: { failureReasons: ['contacts must hold 1 to 250 items'], success: 0 } };
            if (!contacts.every((contact) => isPlausibleEmail(bodyField(contact, 'email'))))
              return { status: 400, json: { failureReasons: ['Invalid email address'], success: 0 } };
            const batchId = `batch-${nextBatch++}`;
            const batch: ImportBatch = { acceptedAt: now(), applied: false, created: [] };
            batches.set(batchId, batch);
            const importAll = () => {
              batch.applied = true;
              for (const input of contacts) {
                const { contact, created } = state.upsertContact(
                  bodyField(input, 'email') as string,
                  bodyField(input, 'first_name'),
                  bodyField(input, 'last_name'),
                );
                if (created) batch.created.push(String(contact.id));
                const tags = bodyField(input, 'tags');
                for (const name of Array.isArray(tags) ? tags : []) {
                  if (typeof name !== 'string' || name === '') continue;
                  const tag = state.findTagByName(name, 'case-insensitive') ?? state.createTag(name);
                  state.applyTag(contact.id, tag.id);
                }
              }
            };
            if (importDelayMs === 'held') held.push(importAll);
            else if (importDelayMs === 0) importAll();
            else setTimeout(importAll, importDelayMs).unref();
            return { status: 200, json: { success: 1, queued_contacts: contacts.length, batchId } };
          },
        },
        {
          method: 'GET',
          pattern: '/api/3/import/info',
          // AC/bulk-import-status-info: `{status, success: [ids of contacts created], failure: [emails]}`;
          // status waiting | claimed | active | completed | failed | interrupted, or `false` right after
          // the import call. A missing batchId is a 400 `{success: 0, message}`. An unknown batchId is
          // not documented: the fake answers as for a batch not started (hostile: never "done").
          handle: ({ query }) => {
            const batchId = query.get('batchId');
            if (!batchId) return { status: 400, json: { success: 0, message: "'batchId' is a required field." } };
            const batch = batches.get(batchId);
            if (!batch) return { status: 200, json: { status: 'waiting', success: [], failure: [] } };
            if (now() - batch.acceptedAt < STATUS_UNSET_FOR_MS) return { status: 200, json: { status: false } };
            return {
              status: 200,
              json: { status: batch.applied ? 'completed' : 'waiting', success: batch.created, failure: [] },
            };
          },
        },
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
          method: 'GET',
          pattern: '/api/3/contacts',
          // AC/list-all-contacts: `email` is "Email address of the contact you want to get"; the answer is
          // `{contacts: [...], meta: {total}}`, paginated like every list. Whether the address is matched
          // ignoring case is not said: the fake matches it exactly as stored (the hostile reading for a
          // caller that sends another case), and lists every contact when no filter is given.
          handle: ({ query }) => {
            const email = query.get('email');
            const matches = [...state.contacts.values()].filter((contact) => email === null || contact.email === email);
            return {
              status: 200,
              json: { contacts: pageOf(matches, query).map(renderContact), meta: { total: String(matches.length) } },
            };
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
  return Object.assign(server, {
    applyHeldImports: () => {
      for (const apply of held.splice(0)) apply();
    },
  });
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
