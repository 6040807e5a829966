/**
 * Keap (Infusionsoft) REST v1. Quirks handled here:
 * - upsert is `PUT /v1/contacts` with `duplicate_option: Email` (v2 has no upsert);
 * - tags are addressed by id and names are not unique, so a name resolves to the lowest id with
 *   that exact name (cached), and removal goes by the ids the contact actually holds under that name;
 * - applying answers a per-tag status map in which only `SUCCESS` is documented: any other
 *   status is a failure, never guessed to mean "already applied";
 * - PAT/SAK authenticate with `X-Keap-API-Key`, OAuth with a Bearer token; a 429 has no body and
 *   no Retry-After;
 * - quotas are counted per account (PAT/SAK: per tenant; OAuth: per application), not per key, so
 *   the budget key holds no key (see docs/crm-apis.md, Keap).
 */
import { z } from 'zod';
import type { CrmConnector, CrmContactInput, RateBudget } from '../../../ports/crm-connector.ts';
import { budgetKeyFor } from '../budget-key.ts';
import { crmIdSchema } from '../crm-id.ts';
import { CrmHttpClient, encodedPath, type CrmConnectorDeps } from '../http-client.ts';
import type { KeapKeyType, KeapOptions } from './options.ts';

const PROVIDER = 'keap';
const PAGE_SIZE = 1000;
/** The one per-tag status Keap documents for applying a tag. */
const APPLIED = 'SUCCESS';

/**
 * PAT/SAK are throttled at 10/s and 240/min. One RateBudget cannot state both; 4 per second
 * satisfies both (never more than 4 in a second, never more than 240 in a minute). OAuth client
 * keys get 1,500/min. Daily quotas (30k PAT/SAK, 150k OAuth) are not expressed.
 */
const BUDGETS: Record<KeapKeyType, RateBudget> = {
  pat: { requests: 4, perMs: 1000 },
  sak: { requests: 4, perMs: 1000 },
  oauth: { requests: 1500, perMs: 60_000 },
};

/** The contact as `PUT /v1/contacts` answers it; its e-mail addresses prove it is a contact. */
const contactSchema = z.object({ id: crmIdSchema, email_addresses: z.array(z.object({ email: z.string() })) });
const tagSchema = z.object({ id: crmIdSchema, name: z.string() });
const tagList = z.object({ tags: z.array(tagSchema) });
/** `GET /v1/tags` (ContactApi/TagsApi in the official infusionsoft SDKs): a page of tags and the total count. */
const tagListPage = z.object({ tags: z.array(tagSchema), count: z.number() });
const appliedTagPage = z.object({ tags: z.array(z.object({ tag: tagSchema })), count: z.number() });
/** Apply answers `{ "<tagId>": "SUCCESS" }` per tag (or nothing). */
const applyStatuses = z.union([z.record(z.string(), z.string()), z.literal('')]);

type Tag = z.output<typeof tagSchema>;

export class KeapConnector implements CrmConnector {
  readonly provider = PROVIDER;
  readonly budget: RateBudget;
  /** Keap documents neither unique names nor their letter case. */
  readonly tagNameCase = 'undocumented';
  readonly budgetKey: string;
  private readonly http: CrmHttpClient;
  private readonly tagIdByName = new Map<string, string>();

  constructor(options: KeapOptions, deps: CrmConnectorDeps = {}) {
    this.budget = BUDGETS[options.keyType];
    // Two keys of one account share its quota; the account behind a key is not known until a call
    // answers, so every PAT/SAK (and every OAuth token) on one API base shares one budget.
    this.budgetKey = budgetKeyFor({
      provider: PROVIDER,
      baseUrl: options.baseUrl,
      accountId: options.keyType === 'oauth' ? 'oauth' : 'pat-sak',
    });
    this.http = new CrmHttpClient(
      {
        provider: PROVIDER,
        baseUrl: options.baseUrl,
        headers:
          options.keyType === 'oauth'
            ? { Authorization: `Bearer ${options.apiKey}` }
            : { 'X-Keap-API-Key': options.apiKey },
        secrets: [options.apiKey],
      },
      deps,
    );
  }

  async upsertContact(input: CrmContactInput): Promise<string> {
    const contact: Record<string, unknown> = {
      duplicate_option: 'Email',
      email_addresses: [{ email: input.email, field: 'EMAIL1' }],
    };
    // Omitted, not empty, so Keap keeps the names it has.
    if (input.firstName !== null) contact.given_name = input.firstName;
    if (input.lastName !== null) contact.family_name = input.lastName;
    const answer = await this.http.sendFor(contactSchema, { method: 'PUT', path: '/v1/contacts', json: contact });
    return answer.id;
  }

  async readTags(contactId: string): Promise<string[]> {
    return (await this.tagsHeldBy(contactId)).map((tag) => tag.name);
  }

  async addTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    const tagIds: string[] = [];
    for (const name of tags) tagIds.push(await this.findOrCreateTagId(name));
    const request = {
      method: 'POST',
      path: encodedPath`/v1/contacts/${contactId}/tags`,
      json: { tagIds: tagIds.map(Number) },
    } as const;
    const response = await this.http.send(request);
    const statuses = this.http.parse(applyStatuses, request, response);
    const refused = Object.entries(statuses === '' ? {} : statuses).filter(([, status]) => status !== APPLIED);
    if (refused.length > 0) {
      const list = refused.map(([id, status]) => `${id}=${status}`).join(', ');
      throw this.http.unusableAnswer(request, response, `tags not applied (${list}); Keap documents only ${APPLIED}`);
    }
  }

  async removeTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    const unwanted = new Set(tags);
    const tagIds = (await this.tagsHeldBy(contactId)).filter((tag) => unwanted.has(tag.name)).map((tag) => tag.id);
    if (tagIds.length === 0) return;
    await this.http.send({
      method: 'DELETE',
      path: encodedPath`/v1/contacts/${contactId}/tags`,
      query: { ids: tagIds.join(',') },
      acceptStatuses: [404],
    });
  }

  async deleteContact(contactId: string): Promise<void> {
    await this.http.send({ method: 'DELETE', path: encodedPath`/v1/contacts/${contactId}`, acceptStatuses: [404] });
  }

  /** Listing one tag is the cheapest call every key type may make. */
  async check(): Promise<void> {
    await this.http.sendFor(tagListPage, { method: 'GET', path: '/v1/tags', query: { limit: 1 } });
  }

  private async tagsHeldBy(contactId: string): Promise<Tag[]> {
    const held: Tag[] = [];
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const page = await this.http.sendFor(appliedTagPage, {
        method: 'GET',
        path: encodedPath`/v1/contacts/${contactId}/tags`,
        query: { limit: PAGE_SIZE, offset },
      });
      held.push(...page.tags.map((applied) => applied.tag));
      if (page.tags.length === 0 || held.length >= page.count) return held;
    }
  }

  private async findOrCreateTagId(name: string): Promise<string> {
    const cached = this.tagIdByName.get(name);
    if (cached !== undefined) return cached;
    const found = await this.http.sendFor(tagList, {
      method: 'GET',
      path: '/v1/tags',
      query: { name, limit: PAGE_SIZE },
    });
    const sameName = found.tags.filter((tag) => tag.name === name).sort((a, b) => Number(a.id) - Number(b.id));
    const tag =
      sameName[0] ?? (await this.http.sendFor(tagSchema, { method: 'POST', path: '/v1/tags', json: { name } }));
    this.tagIdByName.set(name, tag.id);
    return tag.id;
  }
}
