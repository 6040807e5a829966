/**
 * Ontraport API v1. Quirks handled here:
 * - upsert is `POST /1/Contacts/saveorupdate`; a new contact's id is `data.id`, an existing
 *   one's is `data.attrs.id`;
 * - tags are applied and removed by name (`/1/objects/tagByName` auto-creates, ignores unknown
 *   names), so no tag ids are needed to write; its `ids` select contacts, so an id that selects no
 *   one (a contact deleted in Ontraport) gets the usual success and the tag goes nowhere: before
 *   tagging a contact it has not saved or read in the last minute, the connector reads it (404 then
 *   makes the sync look the person up again by e-mail);
 * - a contact's tags are `contact_cat`, tag ids joined by CONTACT_CAT_DELIMITER, mapped to names
 *   via the tag list;
 * - every answer is an envelope whose `code` must be 0; error bodies are often plain text;
 * - a 429 carries `X-Rate-Limit-Reset` (seconds), used as retryAfterMs.
 */
import { z } from 'zod';
import { CrmError, type CrmConnector, type CrmContactInput, type RateBudget } from '../../../ports/crm-connector.ts';
import { budgetKeyFor } from '../budget-key.ts';
import { crmIdSchema } from '../crm-id.ts';
import { CrmHttpClient, type CrmConnectorDeps } from '../http-client.ts';
import type { OntraportOptions } from './options.ts';

const PROVIDER = 'ontraport';
const CONTACT_OBJECT_ID = 0;
/** Ontraport silently truncates pages at 50. */
const PAGE_SIZE = 50;
const CONTACT_CAT_DELIMITER = '*/*';

/** A new contact's id is `data.id`; an updated one's is `data.attrs.id`. */
const savedContact = z.object({
  data: z.union([
    z.object({ attrs: z.object({ id: crmIdSchema }) }).transform((data) => data.attrs.id),
    z.object({ id: crmIdSchema }).transform((data) => data.id),
  ]),
});
/** The record of the contact asked for: an answer about no one (or someone else) is unusable. */
const contactRecord = z.object({ data: z.object({ id: crmIdSchema, contact_cat: z.string().nullish() }) });
/** What every write answers: the envelope, `code` 0 (checked by findFailureInBody) and the account. */
const writeEnvelope = z.object({ code: z.literal(0), account_id: crmIdSchema });
/**
 * How long a contact id Handoff saved or read is taken to still exist without reading it again. A
 * contact deleted in Ontraport within this minute of Handoff's last call about them, and tagged
 * meanwhile, loses that tag until `handoff reconcile`.
 */
const SEEN_RECENTLY_MS = 60_000;
const SEEN_PRUNE_AT = 10_000;
const tagPage = z.object({ data: z.array(z.object({ tag_id: crmIdSchema, tag_name: z.string() })) });
/** The envelope every answer has (`code` 0 is success), here around a page of tags. */
const tagPageEnvelope = tagPage.extend({ code: z.literal(0), account_id: crmIdSchema });

export class OntraportConnector implements CrmConnector {
  readonly provider = PROVIDER;
  /** 180 requests per rolling minute per account. */
  readonly budget: RateBudget = { requests: 180, perMs: 60_000 };
  /** Ontraport's docs say nothing of letter case in tag names (tagByName included). */
  readonly tagNameCase = 'undocumented';
  readonly budgetKey: string;
  private readonly http: CrmHttpClient;
  private readonly tagNameById = new Map<string, string>();
  /** When each contact id was last answered for by Ontraport (saved or read). */
  private readonly seenAt = new Map<string, number>();

  constructor(options: OntraportOptions, deps: CrmConnectorDeps = {}) {
    this.budgetKey = budgetKeyFor({ provider: PROVIDER, baseUrl: options.baseUrl, accountId: options.appId });
    this.http = new CrmHttpClient(
      {
        provider: PROVIDER,
        baseUrl: options.baseUrl,
        headers: { 'Api-Appid': options.appId, 'Api-Key': options.apiKey },
        secrets: [options.apiKey],
        findFailureInBody,
      },
      deps,
    );
  }

  async upsertContact(input: CrmContactInput): Promise<string> {
    const contact: Record<string, string> = { email: input.email };
    // Omitted, not empty, so Ontraport keeps the names it has.
    if (input.firstName !== null) contact.firstname = input.firstName;
    if (input.lastName !== null) contact.lastname = input.lastName;
    const answer = await this.http.sendFor(savedContact, {
      method: 'POST',
      path: '/1/Contacts/saveorupdate',
      json: contact,
    });
    this.sawContact(answer.data);
    return answer.data;
  }

  async readTags(contactId: string): Promise<string[]> {
    const answer = await this.readContact(contactId);
    const tagIds = parseContactCat(answer.data.contact_cat);
    if (tagIds.some((tagId) => !this.tagNameById.has(tagId))) await this.loadTagNames();
    // A tag deleted between the two reads has no name any more: it is not held either.
    return tagIds.flatMap((tagId) => this.tagNameById.get(tagId) ?? []);
  }

  async addTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    if (Date.now() - (this.seenAt.get(contactId) ?? -Infinity) > SEEN_RECENTLY_MS) await this.readContact(contactId);
    await this.http.sendFor(writeEnvelope, {
      method: 'PUT',
      path: '/1/objects/tagByName',
      json: { objectID: CONTACT_OBJECT_ID, ids: [Number(contactId)], add_names: tags },
    });
  }

  async removeTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    await this.http.sendFor(writeEnvelope, {
      method: 'DELETE',
      path: '/1/objects/tagByName',
      json: { objectID: CONTACT_OBJECT_ID, ids: [Number(contactId)], remove_names: tags },
    });
  }

  async deleteContact(contactId: string): Promise<void> {
    await this.http.send({
      method: 'DELETE',
      path: '/1/object',
      query: { objectID: CONTACT_OBJECT_ID, id: contactId },
      acceptStatuses: [404],
    });
  }

  async check(): Promise<void> {
    await this.http.sendFor(tagPageEnvelope, { method: 'GET', path: '/1/Tags', query: { start: 0, range: 1 } });
  }

  /** The contact's record; 404 when Ontraport no longer holds them. */
  private async readContact(contactId: string): Promise<z.output<typeof contactRecord>> {
    const answer = await this.http.sendFor(contactRecord, {
      method: 'GET',
      path: '/1/object',
      query: { objectID: CONTACT_OBJECT_ID, id: contactId },
    });
    if (answer.data.id !== contactId)
      throw new CrmError(
        'permanent',
        `ontraport GET /1/object: asked for contact ${contactId}, answered ${answer.data.id}`,
        {
          provider: PROVIDER,
          status: 200,
        },
      );
    this.sawContact(contactId);
    return answer;
  }

  private sawContact(contactId: string): void {
    const now = Date.now();
    // Only recent sightings matter: the older ones go, so the map stays small in a long-running service.
    if (this.seenAt.size >= SEEN_PRUNE_AT)
      for (const [id, at] of this.seenAt) if (now - at > SEEN_RECENTLY_MS) this.seenAt.delete(id);
    this.seenAt.set(contactId, now);
  }

  private async loadTagNames(): Promise<void> {
    for (let start = 0; ; start += PAGE_SIZE) {
      const page = await this.http.sendFor(tagPage, {
        method: 'GET',
        path: '/1/Tags',
        query: { start, range: PAGE_SIZE },
      });
      for (const tag of page.data) this.tagNameById.set(tag.tag_id, tag.tag_name);
      if (page.data.length < PAGE_SIZE) return;
    }
  }
}

// `*/*12*/*15*/*` (or empty, or null) → ['12', '15'].
export function parseContactCat(contactCat: string | null | undefined): string[] {
  return (contactCat ?? '').split(CONTACT_CAT_DELIMITER).filter((tagId) => tagId.trim() !== '');
}

/** Every Ontraport answer is an envelope whose `code` 0 means success; anything else is not done. */
function findFailureInBody(body: unknown): string | undefined {
  if (typeof body !== 'object' || body === null || !('code' in body)) return 'no Ontraport envelope (code, data)';
  return body.code === 0 ? undefined : `envelope code ${String(body.code)}`;
}
