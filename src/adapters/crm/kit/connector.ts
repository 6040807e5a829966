/**
 * Kit (ConvertKit) API v4 (docs/crm-apis.md, Kit). Quirks handled here:
 * - `POST /v4/subscribers` is an upsert that, for an existing subscriber, is documented to update
 *   the first name only: custom fields of a known subscriber go through `PUT /v4/subscribers/{id}`;
 * - Kit has no last name: it is the custom field `last_name`, created on first need (an unknown
 *   field key is refused or ignored, depending on the page of Kit's reference);
 * - `POST /v4/tags` is an idempotent find-or-create by name, so one call yields a tag id, for
 *   removal too (list reads lag writes by up to minutes, and Kit does not document whether names
 *   match ignoring case: the id Kit answers for the name asked is the one used, whatever its case);
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
/** The largest page Kit serves (default 500). */
const PAGE_SIZE = 1000;

const subscriberEnvelope = z.object({
  subscriber: z.object({ id: crmIdSchema, email_address: z.string(), first_name: z.string().nullish() }),
});
/** `POST /v4/subscribers` answers 201 when it created the subscriber, 200 when it updated one. */
const CREATED = 201;
const tagSchema = z.object({ id: crmIdSchema, name: z.string() });
const tagEnvelope = z.object({ tag: tagSchema });
const customFieldSchema = z.object({ key: z.string() });
const customFieldEnvelope = z.object({ custom_field: customFieldSchema });
const pagination = z.object({ has_next_page: z.boolean(), end_cursor: z.string().nullable() });
const tagPage = z.object({ tags: z.array(tagSchema), pagination });
const customFieldPage = z.object({ custom_fields: z.array(customFieldSchema), pagination });
/** `GET /v4/account` (developers.kit.com/api-reference/accounts/get-current-account). */
const currentAccount = z.object({ user: z.object({ email: z.string() }), account: z.object({ id: crmIdSchema }) });

export class KitConnector implements CrmConnector {
  readonly provider = PROVIDER;
  /** 120 requests per rolling 60 s for an API key (OAuth tokens get 600; not supported here). */
  readonly budget: RateBudget = { requests: 120, perMs: 60_000 };
  /** `POST /v4/tags` "returns the tag if it already exists"; whether "vip" finds "VIP" is not said. */
  readonly tagNameCase = 'undocumented';
  readonly budgetKey: string;
  private readonly http: CrmHttpClient;
  /** Keyed by the name as Handoff asked for it; the id is whatever Kit answered for that name. */
  private readonly tagIdByName = new Map<string, string>();
  /** The reverse, so a tag Kit spells in other letter case reads back under Handoff's name. */
  private readonly askedNameByTagId = new Map<string, string>();
  private lastNameFieldKey: Promise<string> | undefined;

  constructor(options: KitOptions, deps: CrmConnectorDeps = {}) {
    this.budgetKey = budgetKeyFor({ provider: PROVIDER, baseUrl: options.baseUrl, secret: options.apiKey });
    this.http = new CrmHttpClient(
      {
        provider: PROVIDER,
        baseUrl: options.baseUrl,
        headers: { 'X-Kit-Api-Key': options.apiKey },
        secrets: [options.apiKey],
      },
      deps,
    );
  }

  async upsertContact(input: CrmContactInput): Promise<string> {
    const subscriber: Record<string, unknown> = { email_address: input.email };
    // Omitted, not empty, so Kit keeps the names it has.
    if (input.firstName !== null) subscriber.first_name = input.firstName;
    const fields = input.lastName === null ? undefined : { [await this.lastNameField()]: input.lastName };
    if (fields) subscriber.fields = fields;
    const request = { method: 'POST', path: '/v4/subscribers', json: subscriber } as const;
    const response = await this.http.send(request);
    const answer = this.http.parse(subscriberEnvelope, request, response).subscriber;
    if (response.status !== CREATED && fields) {
      // The upsert only updates an existing subscriber's first name; the update writes fields. Its
      // first name is sent as it stands, since the update's treatment of a missing one is undocumented.
      await this.http.sendFor(subscriberEnvelope, {
        method: 'PUT',
        path: encodedPath`/v4/subscribers/${answer.id}`,
        json: { email_address: input.email, first_name: input.firstName ?? answer.first_name ?? null, fields },
      });
    }
    return answer.id;
  }

  async readTags(contactId: string): Promise<string[]> {
    const held = await this.listAll(encodedPath`/v4/subscribers/${contactId}/tags`, tagPage, (page) => page.tags);
    return held.map((tag) => this.askedNameByTagId.get(tag.id) ?? tag.name);
  }

  async addTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    for (const name of tags) {
      const tagId = await this.tagIdFor(name);
      // 201 newly tagged, 200 already tagged: both fine.
      await this.http.send({ method: 'POST', path: encodedPath`/v4/tags/${tagId}/subscribers/${contactId}`, json: {} });
    }
  }

  async removeTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    for (const name of tags) {
      const tagId = await this.tagIdFor(name);
      // Removing a tag the subscriber lacks is undocumented (204 expected); 404 is tolerated too.
      await this.http.send({
        method: 'DELETE',
        path: encodedPath`/v4/tags/${tagId}/subscribers/${contactId}`,
        acceptStatuses: [404],
      });
    }
  }

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

  /**
   * The id Kit holds for a tag name, from `POST /v4/tags` (find-or-create, consistent at once,
   * unlike the tag list). Used for removal too: a name that exists nowhere then becomes an empty
   * tag, which is harmless, where a lagging list would leave a just-created tag in place.
   */
  private async tagIdFor(name: string): Promise<string> {
    const cached = this.tagIdByName.get(name);
    if (cached !== undefined) return cached;
    const answer = await this.http.sendFor(tagEnvelope, { method: 'POST', path: '/v4/tags', json: { name } });
    this.tagIdByName.set(name, answer.tag.id);
    this.askedNameByTagId.set(answer.tag.id, name);
    return answer.tag.id;
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
