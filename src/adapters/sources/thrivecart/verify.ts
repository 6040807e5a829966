/**
 * ThriveCart has no signature: the body carries the account's secret word and account slug, and
 * the only check possible is to compare them with what we were configured with.
 */
import { sameText } from '../../crypto/same-text.ts';
import type { RefusalReason } from '../../store/refused-deliveries.ts';
import type { Fields } from './parse-body.ts';

/** `code` is what the console and `doctor` explain; `reason` is for the log. */
export type Verification = { ok: true } | { ok: false; code: RefusalReason; reason: string };

function topLevelText(fields: Fields, key: string): string | null {
  const value = fields[key];
  return typeof value === 'string' && value !== '' ? value : null;
}

export function verifyThriveCart(fields: Fields, expected: { account: string; secret: string }): Verification {
  // An empty configured secret would accept any body that also omits it: refuse instead.
  if (expected.secret === '' || expected.account === '') {
    return { ok: false, code: 'not-configured', reason: 'ThriveCart account or secret is not configured' };
  }
  const secret = topLevelText(fields, 'thrivecart_secret');
  const account = topLevelText(fields, 'thrivecart_account');
  if (secret === null) return { ok: false, code: 'missing-secret', reason: 'missing thrivecart_secret' };
  if (account === null) return { ok: false, code: 'missing-account', reason: 'missing thrivecart_account' };
  // Both comparisons always run, so timing does not reveal which one failed.
  const secretMatches = sameText(secret, expected.secret);
  const accountMatches = sameText(account, expected.account);
  if (!secretMatches) return { ok: false, code: 'secret-mismatch', reason: 'thrivecart_secret does not match' };
  if (!accountMatches) return { ok: false, code: 'account-mismatch', reason: 'thrivecart_account does not match' };
  return { ok: true };
}
