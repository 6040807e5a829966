/**
 * The reference connector: the CrmConnector contract implemented over a MemoryCrm, with no
 * provider quirks. When a real connector and this one disagree on the contract suite, the real
 * one is wrong.
 */
import { CrmError, type CrmConnector, type CrmContactInput, type RateBudget } from '../../../ports/crm-connector.ts';
import { budgetKeyFor } from '../budget-key.ts';
import { RATE_LIMITED_MODE_WAIT_SECONDS } from '../fake-mode.ts';
import { isPlausibleEmail } from './plausible-email.ts';
import { MemoryCrm, type MemoryContact } from './memory-crm.ts';
import type { MemoryOptions } from './options.ts';

const PROVIDER = 'memory';

export class MemoryCrmConnector implements CrmConnector {
  readonly provider = PROVIDER;
  /** Generous: nothing remote to protect, but the sync layer's limiter still gets a real budget. */
  readonly budget: RateBudget = { requests: 1000, perMs: 1000 };
  /** The memory CRM keeps tag names as given: "VIP" and "vip" are two tags. */
  readonly tagNameCase = 'significant';
  readonly budgetKey: string;

  constructor(
    private readonly options: MemoryOptions,
    readonly crm: MemoryCrm = new MemoryCrm(options.apiKey),
  ) {
    this.budgetKey = budgetKeyFor({ provider: PROVIDER, baseUrl: 'memory:', secret: options.apiKey });
  }

  async upsertContact(input: CrmContactInput): Promise<string> {
    this.answerOrFail('upsertContact');
    if (!isPlausibleEmail(input.email)) {
      throw new CrmError('permanent', `memory upsertContact: invalid email ${input.email}`, {
        provider: PROVIDER,
        status: 422,
      });
    }
    const contact = this.crm.findByEmail(input.email) ?? this.crm.create(input.email);
    if (input.firstName !== null) contact.firstName = input.firstName;
    if (input.lastName !== null) contact.lastName = input.lastName;
    return contact.id;
  }

  async readTags(contactId: string): Promise<string[]> {
    this.answerOrFail('readTags');
    return [...this.contactOrFail(contactId).tags];
  }

  async addTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    this.answerOrFail('addTags');
    const contact = this.contactOrFail(contactId);
    for (const tag of tags) contact.tags.add(tag);
  }

  async removeTags(contactId: string, _email: string, tags: readonly string[]): Promise<void> {
    this.answerOrFail('removeTags');
    const contact = this.contactOrFail(contactId);
    for (const tag of tags) contact.tags.delete(tag);
  }

  async deleteContact(contactId: string): Promise<void> {
    this.answerOrFail('deleteContact');
    this.crm.contacts.delete(contactId);
  }

  async check(): Promise<void> {
    this.answerOrFail('check');
  }

  /** Fails the way a remote provider would in the CRM's current mode, or with a wrong key. */
  private answerOrFail(operation: string): void {
    if (this.crm.mode === 'rate-limited') {
      throw new CrmError('rate_limited', `memory ${operation}: rate limited`, {
        provider: PROVIDER,
        status: 429,
        retryAfterMs: RATE_LIMITED_MODE_WAIT_SECONDS * 1000,
      });
    }
    if (this.crm.mode === 'outage') {
      throw new CrmError('transient', `memory ${operation}: outage`, { provider: PROVIDER, status: 503 });
    }
    if (this.options.apiKey !== this.crm.validApiKey) {
      throw new CrmError('auth', `memory ${operation}: API key rejected`, { provider: PROVIDER, status: 401 });
    }
  }

  private contactOrFail(contactId: string): MemoryContact {
    const contact = this.crm.contacts.get(contactId);
    if (!contact)
      throw new CrmError('permanent', `memory: no contact ${contactId}`, { provider: PROVIDER, status: 404 });
    return contact;
  }
}
