import type { CommerceEvent } from '../events.ts';
import type { LedgerRules } from './rules.ts';

/**
 * Why an authentic event is not ours to apply, or null when it is. ThriveCart's webhook is a
 * catch-all (every product, test mode included), so most "not mine" cases land here and are
 * kept with this reason rather than refused.
 */
export function whyNotApplied(event: CommerceEvent, rules: LedgerRules, testMode: 'ignore' | 'process'): string | null {
  if (!event.live && testMode === 'ignore') return 'test-mode event (thrivecart.testMode is "ignore")';
  switch (event.kind) {
    case 'purchase': {
      if (event.items.some((item) => rules.items.has(item.item))) return null;
      return `no configured item in this order (${event.items.map((item) => item.item).join(', ')})`;
    }
    case 'customer_updated':
    case 'manual_access':
      return null;
    default:
      return rules.items.has(event.item) ? null : `item ${event.item} is not configured`;
  }
}
