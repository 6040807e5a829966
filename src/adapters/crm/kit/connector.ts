/**
 * Kit (ConvertKit) API v4. Quirks handled here:
 * - `POST /v4/subscribers` is an upsert, but Kit has no last name: it is the custom field
 *   `last_name`, created on first need (Kit silently ignores unknown field keys);
 * - `POST /v4/tags` is an idempotent find-or-create by name (case-insensitive), so one call
 *   yields a tag id; ids from writes are trusted and cached because list reads lag writes by up
 *   to minutes;
 * - the API cannot delete a subscriber: `deleteContact` unsubscribes, and erasure has to be
 *   finished in Kit's UI;
 * - a 429 is plain text `Retry later` without headers, so it carries no retryAfterMs.
 */
import { z } from 'zod';
import type { CrmConnector, CrmContactInput, RateBudget } from '../../../ports/crm-connector.ts';
import { budgetKeyFor } from '../budget-key.ts';
import { crmIdSchema } from '../crm-id.ts';
import { CrmHttpClient, encodedPath, type CrmConnectorDeps } from '../http-client.ts';
import type { KitOptions } from './options.ts';

const PROVIDER = 'kit';
const LAST_NAME_FIELD_KEY = 'last_name';
const LAST_NAME_FIELD_LABEL = 'Last name';
const PAGE_SIZE = 1000;

const subscriberEnvelope = z.object({ subscriber: z.object({ id: crmIdSchema, email_address: z.string() }) });
const tagSchema = z.object({ id: crmIdSchema, name: z.string() });
const tagEnvelope = z.object({ tag: tagSchema });
const customFieldSchema = z.object({ key: z.string() });
const customFieldEnvelope = z.object({ custom_field: customFieldSchema });
const pagination = z.object({ has_next_page: z.boolean(), end_cursor: z.string().nullable() });
const tagPage = z.object({ tags: z.array(tagSchema), pagination });
const customFieldPage = z.object({ custom_fields: z.array(customFieldSchema), pagination });
/** `GET /v4/account` (developers.kit.com/api-reference/accounts/get-current-account). */
const currentAccount = z.object({ user: z.object({ email: z.string() }), account: z.object({ id: crmIdSchema }) });

type Tag = z.output<typeof tagSchema>;

export class KitConnector implements CrmConnector {
  readonly provider = PROVIDER;
  /** 120 requests per rolling 60 s for an API key (OAuth tokens get 600; not supported here). */
  readonly budget: RateBudget = { requests: 120, perMs: 60_000 };
  readonly budgetKey: string;
  private readonly http: CrmHttpClient;
  /** Keyed by lower-cased name: Kit matches tag names case-insensitively. */
  private readonly tagIdByName = new Map<string, string>();
  private lastNameFieldKey: Promise<string> | undefined;

  constructor(options: KitOptions, deps: CrmConnectorDeps = {}) {
    this.budgetKey = budgetKeyFor({ provider: PROVIDER, baseUrl: options.baseUrl, secret: options.apiKey });
    this.http = new CrmHttpClient({
      provider: PROVIDER,
      baseUrl: options.baseUrl,
      headers: { 'X-Kit-Api-Key': options.apiKey },
      secrets: [options.apiKey],
    }, deps);
  }

  async upsertContact(input: CrmContactInput): Promise<string> {
    const subscriber: Record<string, unknown> = { email_address: input.email };
    // Omitted, not empty, so Kit keeps the names it has.
    if (input.firstName !== null) subscriber.first_name = input.firstName;
    if (input.lastName !== null) subscriber.fields = { [await this.lastNameField()]: input.lastName };
    const answer = await this.http.sendFor(subscriberEnvelope, { method: 'POST', path: '/v4/subscribers', json: subscriber });
    return answer.subscriber.id;
  }

  async readTags(contactId: string): Promise<string[]> {
    const held = await this.listAll(encodedPath`/v4/subscribers/${contactId}/tags`, tagPage, (page) => page.tags);
    return held.map((tag) => tag.name);
  }

  async addTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    for (const name of tags) {
      const tagId = await this.findOrCreateTagId(name);
      // 201 newly tagged, 200 already tagged: both fine.
      await this.http.send({ method: 'POST', path: encodedPath`/v4/tags/${tagId}/subscribers/${contactId}`, json: {} });
    }
  }

  async removeTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    for (const name of tags) {
      const tagId = await this.existingTagId(name);
      if (tagId === undefined) continue;
      // Removing a tag the subscriber lacks is undocumented (204 expected); 404 is tolerated too.
      await this.http.send({
        method: 'DELETE',
        path: encodedPath`/v4/tags/${tagId}/subscribers/${contactId}`,
        acceptStatuses: [404],
      });
    }
  }

  /** Kit's API has no delete: unsubscribing is the closest it allows (see the module comment). */
  async deleteContact(contactId: string): Promise<void> {
    await this.http.send({
      method: 'POST',
      path: encodedPath`/v4/subscribers/${contactId}/unsubscribe`,
      json: {},
      acceptStatuses: [404],
    });
  }

  /** The key's own account, whose shape proves the answer came from Kit. */
  async check(): Promise<void> {
    await this.http.sendFor(currentAccount, { method: 'GET', path: '/v4/account' });
  }

  private async findOrCreateTagId(name: string): Promise<string> {
    const cached = this.tagIdByName.get(name.toLowerCase());
    if (cached !== undefined) return cached;
    const answer = await this.http.sendFor(tagEnvelope, { method: 'POST', path: '/v4/tags', json: { name } });
    this.remember(answer.tag);
    return answer.tag.id;
  }

  /** A tag's id without creating it: from a write we made, else from the (lagging) tag list. */
  private async existingTagId(name: string): Promise<string | undefined> {
    const key = name.toLowerCase();
    if (!this.tagIdByName.has(key)) (await this.listAll('/v4/tags', tagPage, (page) => page.tags)).forEach((tag) => this.remember(tag));
    return this.tagIdByName.get(key);
  }

  private remember(tag: Tag): void {
    this.tagIdByName.set(tag.name.toLowerCase(), tag.id);
  }

  /** The key of the last-name custom field, creating the field once if the account lacks it. */
  private lastNameField(): Promise<string> {
    this.lastNameFieldKey ??= this.findOrCreateLastNameField().catch((error: unknown) => {
      this.lastNameFieldKey = undefined;
      throw error;
    });
    return this.lastNameFieldKey;
  }

  private async findOrCreateLastNameField(): Promise<string> {
    const fields = await this.listAll('/v4/custom_fields', customFieldPage, (page) => page.custom_fields);
    if (fields.some((field) => field.key === LAST_NAME_FIELD_KEY)) return LAST_NAME_FIELD_KEY;
    const created = await this.http.sendFor(customFieldEnvelope, {
      method: 'POST',
      path: '/v4/custom_fields',
      json: { label: LAST_NAME_FIELD_LABEL },
    });
    return created.custom_field.key;
  }

  /** Follows Kit's cursor pagination to the end of a list. */
  private async listAll<Page extends z.ZodType<{ pagination: z.output<typeof pagination> }>, Item>(
    path: string,
    pageSchema: Page,
    itemsOf: (page: z.output<Page>) => Item[],
  ): Promise<Item[]> {
    const items: Item[] = [];
    let after: string | null = null;
    do {
      const query: Record<string, string | number> = { per_page: PAGE_SIZE };
      if (after !== null) query.after = after;
      const page = await this.http.sendFor(pageSchema, { method: 'GET', path, query });
      items.push(...itemsOf(page));
      after = page.pagination.has_next_page ? page.pagination.end_cursor : null;
    } while (after !== null);
    return items;
  }
}
