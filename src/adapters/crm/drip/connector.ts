/**
 * Drip REST v2. Quirks handled here:
 * - the account id is part of every path; auth is HTTP Basic with the token and no password;
 * - tags are plain names with no ids and no create call: applying one creates it;
 * - removal is `DELETE subscribers/{email}/tags/{tag}` with both URL-encoded (tags may hold
 *   spaces and slashes);
 * - a 429 is JSON ("try again in an hour") without Retry-After.
 */
import { z } from 'zod';
import type { CrmConnector, CrmContactInput, RateBudget } from '../../../ports/crm-connector.ts';
import { budgetKeyFor } from '../budget-key.ts';
import { crmIdSchema } from '../crm-id.ts';
import { CrmHttpClient, encodedPath, type CrmConnectorDeps } from '../http-client.ts';
import type { DripOptions } from './options.ts';

const PROVIDER = 'drip';
/** Drip asks integrations to identify themselves. */
const USER_AGENT = 'Handoff (self-hosted ThriveCart to CRM sync)';

const subscriberList = z.object({
  subscribers: z.array(z.object({ id: crmIdSchema, email: z.string(), tags: z.array(z.string()).default([]) })).min(1),
});

/** `GET /v2/accounts/{id}` answers the account in a one-item list (DripEmail/api-docs, _accounts.md). */
const accountList = z.object({ accounts: z.array(z.object({ id: crmIdSchema, name: z.string() })).min(1) });

export class DripConnector implements CrmConnector {
  readonly provider = PROVIDER;
  /** 3,600 requests per hour for ordinary endpoints (batch endpoints, unused, have 50/h). */
  readonly budget: RateBudget = { requests: 3600, perMs: 3_600_000 };
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
    this.http = new CrmHttpClient({
      provider: PROVIDER,
      baseUrl: options.baseUrl,
      headers: {
        Authorization: `Basic ${Buffer.from(`${options.apiToken}:`).toString('base64')}`,
        'User-Agent': USER_AGENT,
      },
      secrets: [options.apiToken],
    }, deps);
  }

  async upsertContact(input: CrmContactInput): Promise<string> {
    const subscriber: Record<string, string> = { email: input.email };
    // Omitted, not empty, so Drip keeps the names it has.
    if (input.firstName !== null) subscriber.first_name = input.firstName;
    if (input.lastName !== null) subscriber.last_name = input.lastName;
    const answer = await this.http.sendFor(subscriberList, {
      method: 'POST',
      path: encodedPath`/v2/${this.accountId}/subscribers`,
      json: { subscribers: [subscriber] },
    });
    return answer.subscribers[0]!.id;
  }

  async readTags(contactId: string): Promise<string[]> {
    const answer = await this.http.sendFor(subscriberList, {
      method: 'GET',
      path: encodedPath`/v2/${this.accountId}/subscribers/${contactId}`,
    });
    return answer.subscribers[0]!.tags;
  }

  async addTags(_contactId: string, email: string, tags: readonly string[]): Promise<void> {
    if (tags.length === 0) return;
    await this.http.send({
      method: 'POST',
      path: encodedPath`/v2/${this.accountId}/tags`,
      json: { tags: tags.map((tag) => ({ email, tag })) },
    });
  }

  async removeTags(_contactId: string, email: string, tags: readonly string[]): Promise<void> {
    for (const tag of tags) {
      // Whether removing an absent tag is 204 or 404 is unverified; both mean "not held".
      await this.http.send({
        method: 'DELETE',
        path: encodedPath`/v2/${this.accountId}/subscribers/${email}/tags/${tag}`,
        acceptStatuses: [404],
      });
    }
  }

  async deleteContact(contactId: string): Promise<void> {
    await this.http.send({
      method: 'DELETE',
      path: encodedPath`/v2/${this.accountId}/subscribers/${contactId}`,
      acceptStatuses: [404],
    });
  }

  /** Fetching the configured account also proves the token may use that account id. */
  async check(): Promise<void> {
    const request = { method: 'GET', path: encodedPath`/v2/accounts/${this.accountId}` } as const;
    const response = await this.http.send(request);
    const answer = this.http.parse(accountList, request, response);
    if (answer.accounts[0]!.id !== this.accountId) throw this.http.unusableAnswer(request, response, `expected account ${this.accountId}`);
  }
}
