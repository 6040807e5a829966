/**
 * Drip REST v2 (docs/crm-apis.md, Drip). Quirks handled here:
 * - the account id is part of every path; auth is HTTP Basic with the token and no password;
 * - tags are plain names with no ids and no create call: applying one creates it; `POST /tags`
 *   is documented with one `{email, tag}` item, so each tag is its own call;
 * - removal is `DELETE subscribers/{email}/tags/{tag}` with both URL-encoded (tags may hold
 *   spaces and slashes);
 * - "All subscriber API endpoints only work with your active people. Attempting to modify or
 *   delete an inactive person will result in an error" (which error is undocumented): a refused
 *   write is checked against the person's status, and an inactive person's is a permanent failure
 *   that says so (erasure included: it must then be finished in Drip by hand), never "done";
 * - a 429 is JSON ("try again in an hour") without Retry-After.
 */
import { z } from 'zod';
import { CrmError, type CrmConnector, type CrmContactInput, type RateBudget } from '../../../ports/crm-connector.ts';
import { budgetKeyFor } from '../budget-key.ts';
import { crmIdSchema } from '../crm-id.ts';
import { CrmHttpClient, encodedPath, type CrmConnectorDeps } from '../http-client.ts';
import type { DripOptions } from './options.ts';

const PROVIDER = 'drip';
/** Drip asks integrations to identify themselves. */
const USER_AGENT = 'Handoff (self-hosted ThriveCart to CRM sync)';

const subscriberList = z.object({
  subscribers: z
    .array(
      z.object({
        id: crmIdSchema,
        email: z.string(),
        status: z.string().optional(),
        tags: z.array(z.string()).default([]),
      }),
    )
    .min(1),
});
/** The statuses Drip's refusal of a write to an inactive person may come with (undocumented, see above). */
const REFUSAL_STATUSES = new Set([403, 422]);

/** `GET /v2/accounts/{id}` answers the account in a one-item list (DripEmail/api-docs, _accounts.md). */
const accountList = z.object({ accounts: z.array(z.object({ id: crmIdSchema, name: z.string() })).min(1) });

export class DripConnector implements CrmConnector {
  readonly provider = PROVIDER;
  /** 3,600 requests per hour for ordinary endpoints (batch endpoints, unused, have 50/h). */
  readonly budget: RateBudget = { requests: 3600, perMs: 3_600_000 };
  /** Drip's tag docs (_tags.md) say nothing of letter case. */
  readonly tagNameCase = 'undocumented';
  readonly budgetKey: string;
  private readonly http: CrmHttpClient;
  private readonly accountId: string;

  constructor(options: DripOptions, deps: CrmConnectorDeps = {}) {
    this.accountId = options.accountId;
    this.budgetKey = budgetKeyFor({
      provider: PROVIDER,
      baseUrl: options.baseUrl,
      accountId: options.accountId,
      secret: options.apiToken,
    });
    this.http = new CrmHttpClient(
      {
        provider: PROVIDER,
        baseUrl: options.baseUrl,
        headers: {
          Authorization: `Basic ${Buffer.from(`${options.apiToken}:`).toString('base64')}`,
          'User-Agent': USER_AGENT,
        },
        secrets: [options.apiToken],
      },
      deps,
    );
  }

  async upsertContact(input: CrmContactInput): Promise<string> {
    const subscriber: Record<string, string> = { email: input.email };
    // Omitted, not empty, so Drip keeps the names it has.
    if (input.firstName !== null) subscriber.first_name = input.firstName;
    if (input.lastName !== null) subscriber.last_name = input.lastName;
    const answer = await this.unlessInactive(input.email, 'update', () =>
      this.http.sendFor(subscriberList, {
        method: 'POST',
        path: encodedPath`/v2/${this.accountId}/subscribers`,
        json: { subscribers: [subscriber] },
      }),
    );
    return answer.subscribers[0]!.id;
  }

  async readTags(contactId: string): Promise<string[]> {
    const answer = await this.http.sendFor(subscriberList, {
      method: 'GET',
      path: encodedPath`/v2/${this.accountId}/subscribers/${contactId}`,
    });
    return answer.subscribers[0]!.tags;
  }

  async addTags(contactId: string, email: string, tags: readonly string[]): Promise<void> {
    for (const tag of tags) {
      // One item per call, the form Drip documents (DripEmail/api-docs, _tags.md "Apply a tag").
      await this.unlessInactive(contactId, 'tag', async () => {
        const request = {
          method: 'POST',
          path: encodedPath`/v2/${this.accountId}/tags`,
          json: { tags: [{ email, tag }] },
        } as const;
        const response = await this.http.send(request);
        // "Responds with a 201 Created and an empty JSON response" (_tags.md): the only proof Drip gives,
        // so any other answer (a 200 page from a proxy, a catch-all stub) is not taken as done.
        if (response.status !== 201 || !isEmptyJsonObject(response.body))
          throw this.http.unusableAnswer(request, response, 'not the documented 201 {}');
      });
    }
  }

  async removeTags(contactId: string, email: string, tags: readonly string[]): Promise<void> {
    for (const tag of tags) {
      // Whether removing an absent tag is 204 or 404 is unverified; both mean "not held".
      await this.unlessInactive(contactId, 'untag', () =>
        this.http.send({
          method: 'DELETE',
          path: encodedPath`/v2/${this.accountId}/subscribers/${email}/tags/${tag}`,
          acceptStatuses: [404],
        }),
      );
    }
  }

  async deleteContact(contactId: string): Promise<void> {
    await this.unlessInactive(contactId, 'delete', () =>
      this.http.send({
        method: 'DELETE',
        path: encodedPath`/v2/${this.accountId}/subscribers/${contactId}`,
        acceptStatuses: [404],
      }),
    );
  }

  /** Fetching the configured account also proves the token may use that account id. */
  async check(): Promise<void> {
    const request = { method: 'GET', path: encodedPath`/v2/accounts/${this.accountId}` } as const;
    const response = await this.http.send(request);
    const answer = this.http.parse(accountList, request, response);
    if (answer.accounts[0]!.id !== this.accountId)
      throw this.http.unusableAnswer(request, response, `expected account ${this.accountId}`);
  }

  /**
   * Runs a write; if Drip refuses it, looks at the person's status: an inactive person's refusal
   * becomes a permanent failure saying so (by Drip id only: an erased person's e-mail must not
   * end up in an error message). Otherwise the refusal stands as it came (a 403 may really be the
   * token's).
   */
  private async unlessInactive<Result>(
    idOrEmail: string,
    action: 'update' | 'tag' | 'untag' | 'delete',
    write: () => Promise<Result>,
  ): Promise<Result> {
    try {
      return await write();
    } catch (error) {
      if (
        !(error instanceof CrmError) ||
        error.details.status === undefined ||
        !REFUSAL_STATUSES.has(error.details.status)
      )
        throw error;
      const person = await this.http
        .sendFor(subscriberList, { method: 'GET', path: encodedPath`/v2/${this.accountId}/subscribers/${idOrEmail}` })
        .then(
          (answer) => answer.subscribers[0],
          () => undefined,
        );
      if (person === undefined || person.status === undefined || person.status === 'active') throw error;
      throw new CrmError('permanent', inactiveMessage(person.id, person.status, action), {
        provider: PROVIDER,
        status: error.details.status,
      });
    }
  }
}

function inactiveMessage(subscriberId: string, status: string, action: 'update' | 'tag' | 'untag' | 'delete'): string {
  const who = `Drip subscriber ${subscriberId} is ${status}`;
  if (action === 'delete') {
    return `${who}, and Drip's API refuses to delete inactive people: delete the person by hand in Drip (People, open the person, Delete) to finish the erasure`;
  }
  return `${who}, and Drip's API refuses to change inactive people: their tags stay as they are until the person is active again in Drip (then resync)`;
}

function isEmptyJsonObject(body: unknown): boolean {
  return typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0;
}
