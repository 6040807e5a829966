/**
 * Names the credential a provider's rate limit is counted against, so every process sharing the
 * database shares one budget. Built from hashes only: the key itself never leaves the process.
 */
import { createHash } from 'node:crypto';

const BUDGET_KEY_LENGTH = 32;

export interface BudgetScope {
  provider: string;
  baseUrl: string;
  /** Drip account id, Ontraport app id: the account inside the provider (Keap: the kind of key). */
  accountId?: string | undefined;
  /**
   * The credential, for providers that count per key (Kit, Drip). Omitted where the provider
   * counts per account whatever the key (ActiveCampaign, Ontraport, Keap): two keys on one
   * account must share one budget.
   */
  secret?: string | undefined;
}

export function budgetKeyFor(scope: BudgetScope): string {
  const secretHash = scope.secret === undefined ? '' : sha256(scope.secret);
  const normalizedBaseUrl = scope.baseUrl.replace(/\/+$/, '').toLowerCase();
  return sha256([scope.provider, normalizedBaseUrl, scope.accountId ?? '', secretHash].join('\n')).slice(
    0,
    BUDGET_KEY_LENGTH,
  );
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
