/**
 * The one interface every CRM connector implements (ActiveCampaign, Kit, Keap, Ontraport, Drip,
 * and the in-memory reference connector). The sync use-case decides WHAT to change (a tag diff
 * computed from the ledger); a connector only knows HOW to say it to its provider.
 *
 * Terminology
 * - contact id: the CRM's own id for the person, as a string (numeric ids included).
 * - tag: always a tag NAME here; connectors that need ids find or create them and cache the ids.
 */

/** What Handoff knows about a person, pushed on every upsert. Blank names are null, never "". */
export interface CrmContactInput {
  email: string;
  firstName: string | null;
  lastName: string | null;
}

/**
 * How a CRM tells tag names apart:
 * - `ignored`: one tag per name whatever its letter case ("VIP" and "vip" are the same tag);
 * - `significant`: "VIP" and "vip" are two tags;
 * - `undocumented`: the vendor does not say; Handoff copes with both readings (docs/crm-apis.md).
 */
export type TagNameCase = 'ignored' | 'significant' | 'undocumented';

/** One person in a bulk tag call: found by e-mail, created when the CRM lacks them. */
export interface CrmBulkTagging {
  email: string;
  firstName: string | null;
  lastName: string | null;
  tags: string[];
}

/**
 * A vendor's documented call that tags many people at once (ActiveCampaign's bulk import). It is
 * asynchronous and says nothing per person, so the sync never counts on it: it only lets access
 * tags arrive sooner at a launch, while each person's own push still applies and records every tag.
 */
export interface CrmBulkTagger {
  /** The fewest people worth one call (the vendor's own advice), and the most one call takes. */
  minPeople: number;
  maxPeople: number;
  /** Queues the tags; success says only that the CRM accepted the batch, named by the id returned. */
  queue(people: readonly CrmBulkTagging[]): Promise<{ batchId: string }>;
  /** Whether the CRM has finished with the batch (applied it, or given up on it): `pending` until then. */
  batchStatus(batchId: string): Promise<'pending' | 'finished'>;
  /**
   * The CRM's id for the person with this e-mail, null when there is none: a person a batch
   * created is known to Handoff only by the e-mail it carried (no id comes back per person).
   */
  findContactId(email: string): Promise<string | null>;
}

/** A request budget: at most `requests` calls in any window of `perMs` milliseconds. */
export interface RateBudget {
  requests: number;
  perMs: number;
}

export interface CrmConnector {
  /** Provider name as written in the config (`activecampaign`, `kit`, ...). */
  readonly provider: string;
  /**
   * Identifies the credential the provider's rate limit is counted against (for example a hash
   * of base URL + account), so every process sharing the database shares one budget. Never the
   * secret itself.
   */
  readonly budgetKey: string;
  /** The provider's documented budget for that credential. */
  readonly budget: RateBudget;
  /** Where the vendor documents a bulk tag call; absent elsewhere. */
  readonly bulkTagger?: CrmBulkTagger;
  /** Whether "VIP" and "vip" are one tag in this CRM, as its vendor documents it. */
  readonly tagNameCase: TagNameCase;
  /**
   * Creates the contact or updates it (matched by email). Null names leave the CRM's names as
   * they are. Returns the CRM's contact id.
   */
  upsertContact(contact: CrmContactInput): Promise<string>;
  /** Every tag name the CRM holds for the contact (not only Handoff's). */
  readTags(contactId: string, email: string): Promise<string[]>;
  /** Applies tags by name, creating missing tags. Already-applied tags are not an error. */
  addTags(contactId: string, email: string, tags: readonly string[]): Promise<void>;
  /** Removes tags by name. Tags the contact lacks, or that do not exist, are not an error. */
  removeTags(contactId: string, email: string, tags: readonly string[]): Promise<void>;
  /** Deletes the contact (GDPR erasure). A contact that is already gone is not an error. */
  deleteContact(contactId: string, email: string): Promise<void>;
  /** Makes one cheap authenticated call; throws a CrmError saying what is wrong. */
  check(): Promise<void>;
}

/**
 * How the sync use-case must treat a failed call:
 * - `rate_limited`: wait (`retryAfterMs` when the provider said how long) and retry; spends no attempt.
 * - `transient`: 5xx, timeouts, resets; retry with jittered backoff.
 * - `auth`: 401/403 (bad key, wrong account); pause this connector until fixed, hold its jobs.
 * - `permanent`: any other 4xx or an unusable answer; dead-letter with the cause.
 */
export type CrmErrorKind = 'rate_limited' | 'transient' | 'auth' | 'permanent';

export class CrmError extends Error {
  override readonly name = 'CrmError';
  constructor(
    readonly kind: CrmErrorKind,
    message: string,
    readonly details: { provider: string; status?: number; retryAfterMs?: number },
  ) {
    super(message);
  }
}
