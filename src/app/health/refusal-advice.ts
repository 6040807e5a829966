import type { RefusalReason, RefusalSummary } from '../../adapters/store/refused-deliveries.ts';

/** One kind of refused call, said so a creator knows what happened and what to change. */
export interface RefusalAdvice {
  reason: RefusalReason;
  count: number;
  lastAt: number;
  /** What happened, in plain words. Never the secret word. */
  what: string;
  /** What to change. */
  fix: string;
  /**
   * Fixed since: a delivery was accepted after the last such refusal, or the account the calls
   * named is now the configured one. The refused calls' purchases were still not recorded.
   */
  resolved: boolean;
}

const SECRET_PLACE = 'ThriveCart: Settings → API & Webhooks → ThriveCart API → Secret word';

/**
 * The right fix for each way ThriveCart's calls get refused. The account and the secret word are
 * told apart, because copying the secret again does not help when the account name is wrong
 * (a full domain written instead of the name, say).
 */
export function adviseOnRefusals(
  summaries: readonly RefusalSummary[],
  configuredAccount: string,
  lastAcceptedAt: number | null,
): RefusalAdvice[] {
  return summaries.map((summary) => {
    const resolved =
      (lastAcceptedAt !== null && lastAcceptedAt > summary.lastAt) ||
      (summary.reason === 'account-mismatch' && summary.lastClaimedAccount === configuredAccount);
    const base = { reason: summary.reason, count: summary.count, lastAt: summary.lastAt, resolved };
    return resolved ? { ...base, ...explainResolved(summary) } : { ...base, ...explain(summary, configuredAccount) };
  });
}

function explainResolved(summary: RefusalSummary): { what: string; fix: string } {
  const calls = summary.count === 1 ? '1 call was' : `${summary.count} calls were`;
  return {
    what: `${calls} refused this week (${summary.reason.replace('-', ' ')}) before the configuration was put right.`,
    fix: 'Those calls were not recorded. If they were real purchases, find them in ThriveCart (Customers) and send them again, or grant the access by hand.',
  };
}

function explain(summary: RefusalSummary, configuredAccount: string): { what: string; fix: string } {
  const calls = summary.count === 1 ? '1 call' : `${summary.count} calls`;
  const claimed = summary.lastClaimedAccount;
  switch (summary.reason) {
    case 'account-mismatch':
      return {
        what: `${calls} had the right secret word but named the account "${claimed ?? '?'}", and the configuration says "${configuredAccount}".`,
        fix: `Set thrivecart.account to "${claimed ?? 'your account name'}": just the name, as in ${claimed ?? 'yourschool'}.thrivecart.com, without https:// or .thrivecart.com. Then restart Handoff.`,
      };
    case 'secret-mismatch':
      return {
        what: `${calls} had a secret word that does not match thrivecart.secret${claimed !== null && claimed !== configuredAccount ? ` (and named the account "${claimed}", not "${configuredAccount}")` : ''}.`,
        fix:
          claimed !== null && claimed !== configuredAccount
            ? `If "${claimed}" is not your ThriveCart account, someone else is posting to this URL and nothing needs fixing. If it is yours, set thrivecart.account to "${claimed}" and copy the secret word again (${SECRET_PLACE}) into THRIVECART_SECRET, then restart Handoff.`
            : `Copy the secret word again (${SECRET_PLACE}) into THRIVECART_SECRET (or thrivecart.secret), then restart Handoff. If you changed it in ThriveCart, the old one no longer works.`,
      };
    case 'missing-secret':
    case 'missing-account':
      return {
        what: `${calls} came without ${summary.reason === 'missing-secret' ? 'a secret word' : 'an account name'}. ThriveCart always sends both, so these were not ThriveCart's webhooks.`,
        fix: "Nothing to fix if you were not testing the URL yourself; ThriveCart's own calls are counted separately.",
      };
    case 'not-configured':
      return {
        what: `${calls} arrived while thrivecart.account or thrivecart.secret was empty, so nothing could be accepted.`,
        fix: 'Set thrivecart.account and thrivecart.secret (THRIVECART_SECRET) in the configuration, then restart Handoff.',
      };
  }
}

/** Test purchases are stored and ignored while `testMode: ignore`; say so when some arrived. */
export function adviseOnTestMode(
  ignoredTestDeliveries: number,
  testMode: 'ignore' | 'process',
): { what: string; fix: string } | null {
  if (ignoredTestDeliveries === 0 || testMode !== 'ignore') return null;
  const deliveries =
    ignoredTestDeliveries === 1 ? '1 test-mode delivery was' : `${ignoredTestDeliveries} test-mode deliveries were`;
  return {
    what: `${deliveries} stored and ignored this week: thrivecart.testMode is "ignore", so test purchases change nothing.`,
    fix: 'To try things out with test purchases, set thrivecart.testMode: process and restart; set it back to ignore before going live.',
  };
}
