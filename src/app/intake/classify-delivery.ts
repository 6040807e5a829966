import type { CommerceEvent } from '../../core/events.ts';
import { whyNotApplied } from '../../core/ledger/applicability.ts';
import type { LedgerRules } from '../../core/ledger/rules.ts';
import { normaliseThriveCart, NormaliseError } from '../../adapters/sources/thrivecart/normalise.ts';
import type { Fields } from '../../adapters/sources/thrivecart/parse-body.ts';
import type { DeliveryStatus } from '../../adapters/store/deliveries.ts';

/**
 * What a ThriveCart delivery is, decided from its body alone: `applied` (an event of ours, still
 * to apply to its person), `ignored` (not ours: an event kind we do not act on, an unconfigured
 * item, test mode; the event is kept when there is one) or `rejected` (unusable). Both the intake
 * and replay classify through here, so a stored delivery is judged again by the same rules.
 */
export interface Classification {
  status: Extract<DeliveryStatus, 'applied' | 'ignored' | 'rejected'>;
  reason: string | null;
  event: CommerceEvent | null;
}

export function classifyThriveCartDelivery(
  fields: Fields,
  receivedAt: number,
  rules: LedgerRules,
  testMode: 'ignore' | 'process',
): Classification {
  try {
    const normalised = normaliseThriveCart(fields, { receivedAt });
    if (normalised.kind === 'ignored') return { status: 'ignored', reason: normalised.reason, event: null };
    const notOurs = whyNotApplied(normalised, rules, testMode);
    return notOurs === null
      ? { status: 'applied', reason: null, event: normalised }
      : { status: 'ignored', reason: notOurs, event: normalised };
  } catch (error) {
    if (error instanceof NormaliseError) return { status: 'rejected', reason: error.message, event: null };
    throw error;
  }
}
