/**
 * ActiveCampaign API v3 (docs/crm-apis.md, ActiveCampaign). Quirks handled here:
 * - upsert is `POST /contact/sync` (create-or-update keyed on email);
 * - tags are addressed by id; tag names are unique regardless of letter case, and
 *   `GET /tags?search=` is a substring search, so the name is picked client-side ignoring case,
 *   and a missing tag is created;
 * - lists are paginated (20 rows unless `limit`, at most 100), a contact's tags included;
 * - removal deletes the contact↔tag *association* (`contactTags/{id}`), not the tag;
 * - a bad token is 403, and some endpoints report failure as HTTP 200 with `success: false`.
 */
import { z } from 'zod';
import type {
  CrmBulkTagger,
  CrmBulkTagging,
  CrmConnector,
  CrmContactInput,
  RateBudget,
} from '../../../ports/crm-connector.ts';
import { budgetKeyFor } from '../budget-key.ts';
import { crmIdSchema } from '../crm-id.ts';
import { CrmHttpClient, encodedPath, type CrmConnectorDeps } from '../http-client.ts';
import { activeCampaignKey, type ActiveCampaignOptions } from './options.ts';

const PROVIDER = 'activecampaign';
const PAGE_SIZE = 100;

const contactEnvelope = z.object({ contact: z.object({ id: crmIdSchema }) });
const tagSchema = z.object({ id: crmIdSchema, tag: z.string() });
const tagEnvelope = z.object({ tag: tagSchema });
const tagPage = z.object({ tags: z.array(tagSchema) });
const contactTagList = z.object({ contactTags: z.array(z.object({ id: crmIdSchema, tag: crmIdSchema })) });
/** AC/list-all-contacts (`GET /api/3/contacts?email=`): `{contacts: [{id, email, …}], meta: {total}}`. */
const contactList = z.object({ contacts: z.array(z.object({ id: crmIdSchema, email: z.string() })) });
const loggedInUser = z.object({ user: z.object({ id: crmIdSchema }) });
/** AC/bulk-import-contacts answers `{success: 1, queued_contacts, batchId}`. */
const queuedImport = z.object({ success: z.literal(1), batchId: z.union([z.string(), z.number()]) });
/**
 * AC/bulk-import-status-info (`GET /api/3/import/info?batchId=`): `{status, success: [contact ids
 * created], failure: [emails]}`; `status` is waiting, claimed, active, completed, failed or
 * interrupted, and may be `false` "if this endpoint is called immediately (less than a second)
 * after a bulk import call".
 */
const importInfo = z.object({ status: z.union([z.string(), z.literal(false)]) });
/** The statuses after which AC does no more with a batch: "completed", or "can no longer be retried" / "will not be retried". */
const FINISHED_IMPORT_STATUSES: ReadonlySet<string> = new Set(['completed', 'failed', 'interrupted']);
const validationErrors = z.object({ errors: z.array(z.object({ code: z.string().optional() })) });

type ContactTag = z.output<typeof contactTagList>['contactTags'][number];

export class ActiveCampaignConnector implements CrmConnector {
  readonly provider = PROVIDER;
  /** 5 requests/second per account, shared by every key of the account. */
  readonly budget: RateBudget = { requests: 5, perMs: 1000 };
  /** Creating "VIP" when "vip" exists is refused: one tag per name whatever its case (docs/crm-apis.md). */
  readonly tagNameCase = 'ignored';
  readonly budgetKey: string;
  private readonly http: CrmHttpClient;
  /** Keyed by the name in lower case: AC holds one tag per name whatever its letter case. */
  private readonly tagIdByName = new Map<string, string>();
  private readonly tagNameById = new Map<string, string>();
  /**
   * AC/bulk-import-contacts: "Contacts can be imported in batches of up to 250 items"; "If you need
   * to upload 10 or fewer contacts at a time, please use the Contacts functionality" (so 11 at least,
   * which also keeps to the multi-contact limit of 100 imports a minute, far above what 5 requests a
   * second allow). Processed asynchronously, how soon is not documented.
   */
  readonly bulkTagger: CrmBulkTagger = {
    minPeople: 11,
    maxPeople: 250,
    queue: (people) => this.queueBulkImport(people),
    batchStatus: async (batchId) => {
      const info = await this.http.sendFor(importInfo, {
        method: 'GET',
        path: '/api/3/import/info',
        query: { batchId },
      });
      return info.status !== false && FINISHED_IMPORT_STATUSES.has(info.status) ? 'finished' : 'pending';
    },
    findContactId: async (email) => {
      const found = await this.http.sendFor(contactList, { method: 'GET', path: '/api/3/contacts', query: { email } });
      // The filter is documented as the contact's address; compared again here, ignoring case, whatever AC matched.
      const wanted = email.toLowerCase();
      return found.contacts.find((contact) => contact.email.toLowerCase() === wanted)?.id ?? null;
    },
  };

  constructor(options: ActiveCampaignOptions, deps: CrmConnectorDeps = {}) {
    this.budgetKey = budgetKeyFor({ provider: PROVIDER, baseUrl: options.baseUrl });
    const apiKey = activeCampaignKey(options);
    this.http = new CrmHttpClient(
      {
        provider: PROVIDER,
        baseUrl: options.baseUrl,
        headers: { 'Api-Token': apiKey },
        secrets: [apiKey],
        findFailureInBody,
      },
      deps,
    );
  }

  async upsertContact(input: CrmContactInput): Promise<string> {
    const contact: Record<string, string> = { email: input.email };
    // Omitted, not empty: an empty string would blank the name already in the CRM.
    if (input.firstName !== null) contact.firstName = input.firstName;
    if (input.lastName !== null) contact.lastName = input.lastName;
    const answer = await this.http.sendFor(contactEnvelope, {
      method: 'POST',
      path: '/api/3/contact/sync',
      json: { contact },
    });
    return answer.contact.id;
  }

  async readTags(contactId: string): Promise<string[]> {
    const held = await this.contactTagsOf(contactId);
    const names: string[] = [];
    for (const contactTag of held) names.push(await this.tagName(contactTag.tag));
    return names;
  }

  /**
   * Applies without reading the contact's tags first: one request per tag. Re-applying a held tag
   * is undocumented; a 422 `duplicate` is taken as done, and should AC store a second association
   * instead, removeTags deletes every association of the tag, so nothing is left behind.
   */
  async addTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    for (const name of tags) {
      const tagId = await this.findOrCreateTagId(name);
      const request = {
        method: 'POST',
        path: '/api/3/contactTags',
        json: { contactTag: { contact: contactId, tag: tagId } },
        acceptStatuses: [422],
      } as const;
      const response = await this.http.send(request);
      if (response.status === 422 && !isDuplicate(response.body))
        throw this.http.unusableAnswer(request, response, 'tag not applied');
    }
  }

  async removeTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    const unwanted = new Set(tags.map(sameTagKey));
    for (const contactTag of await this.contactTagsOf(contactId)) {
      if (!unwanted.has(sameTagKey(await this.tagName(contactTag.tag)))) continue;
      // The association id, not the tag id; 404 means someone removed it meanwhile.
      await this.http.send({
        method: 'DELETE',
        path: encodedPath`/api/3/contactTags/${contactTag.id}`,
        acceptStatuses: [404],
      });
    }
  }

  async deleteContact(contactId: string): Promise<void> {
    await this.http.send({ method: 'DELETE', path: encodedPath`/api/3/contacts/${contactId}`, acceptStatuses: [404] });
  }

  /** The logged-in user: proves the URL is AC's API and the key is accepted (an answer without a user is not). */
  async check(): Promise<void> {
    await this.http.sendFor(loggedInUser, { method: 'GET', path: '/api/3/users/me' });
  }

  private async queueBulkImport(people: readonly CrmBulkTagging[]): Promise<{ batchId: string }> {
    const contacts = people.map((person) => ({
      email: person.email,
      // Omitted, not empty, as in the upsert: a blank never overwrites a name in the CRM.
      ...(person.firstName === null ? {} : { first_name: person.firstName }),
      ...(person.lastName === null ? {} : { last_name: person.lastName }),
      tags: person.tags,
    }));
    const queued = await this.http.sendFor(queuedImport, {
      method: 'POST',
      path: '/api/3/import/bulk_import',
      json: { contacts },
    });
    return { batchId: String(queued.batchId) };
  }

  /** Every page of the contact's tags (20 rows by default; 100, the most a page holds, asked). */
  private async contactTagsOf(contactId: string): Promise<ContactTag[]> {
    const held: ContactTag[] = [];
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const page = await this.http.sendFor(contactTagList, {
        method: 'GET',
        path: encodedPath`/api/3/contacts/${contactId}/contactTags`,
        query: { limit: PAGE_SIZE, offset },
      });
      held.push(...page.contactTags);
      if (page.contactTags.length < PAGE_SIZE) return held;
    }
  }

  private async tagName(tagId: string): Promise<string> {
    const cached = this.tagNameById.get(tagId);
    if (cached !== undefined) return cached;
    const answer = await this.http.sendFor(tagEnvelope, { method: 'GET', path: encodedPath`/api/3/tags/${tagId}` });
    this.remember(answer.tag);
    return answer.tag.tag;
  }

  private async findOrCreateTagId(name: string): Promise<string> {
    const known = this.tagIdByName.get(sameTagKey(name)) ?? (await this.searchTagId(name));
    if (known !== undefined) return known;
    const request = {
      method: 'POST',
      path: '/api/3/tags',
      json: { tag: { tag: name, tagType: 'contact', description: '' } },
      acceptStatuses: [422],
    } as const;
    const response = await this.http.send(request);
    if (response.status !== 422) {
      const created = this.http.parse(tagEnvelope, request, response).tag;
      this.remember(created);
      return created.id;
    }
    // AC refuses a name it holds in any letter case: someone created it meanwhile.
    const createdMeanwhile = await this.searchTagId(name);
    if (createdMeanwhile === undefined)
      throw this.http.unusableAnswer(request, response, `tag "${name}" neither found nor created`);
    return createdMeanwhile;
  }

  /** `search` matches substrings, so page through the matches for the name, ignoring case. */
  private async searchTagId(name: string): Promise<string | undefined> {
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const page = await this.http.sendFor(tagPage, {
        method: 'GET',
        path: '/api/3/tags',
        query: { search: name, limit: PAGE_SIZE, offset },
      });
      page.tags.forEach((tag) => this.remember(tag));
      const exact = page.tags.find((tag) => sameTagKey(tag.tag) === sameTagKey(name));
      if (exact) return exact.id;
      if (page.tags.length < PAGE_SIZE) return undefined;
    }
  }

  private remember(tag: { id: string; tag: string }): void {
    this.tagIdByName.set(sameTagKey(tag.tag), tag.id);
    this.tagNameById.set(tag.id, tag.tag);
  }
}

/** AC treats "VIP" and "vip" as the same tag. */
function sameTagKey(name: string): string {
  return name.toLowerCase();
}

function findFailureInBody(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('success' in body) || body.success !== false) return undefined;
  return 'message' in body && typeof body.message === 'string' ? body.message : 'success: false';
}

function isDuplicate(body: unknown): boolean {
  const parsed = validationErrors.safeParse(body);
  return parsed.success && parsed.data.errors.some((error) => error.code === 'duplicate');
}
