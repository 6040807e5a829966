import type { CommerceEvent, ItemKey } from '../events.ts';
import { describeDay, describeMoney } from '../describe.ts';
import { type LedgerRules, offeringName } from './rules.ts';

/** One plain-words line for the timeline: what happened, named as the creator names things. */
export function describeEvent(event: CommerceEvent, rules: LedgerRules): string {
  const test = event.live ? '' : ' (test mode)';
  switch (event.kind) {
    case 'purchase': {
      const names = event.items.map((item) => `${item.name} (${item.item})`).join(', ');
      return `Bought ${names} in order ${event.orderId}${test}`;
    }
    case 'renewal':
      return `Paid ${describeMoney(event.amountCents)} for ${name(event.item, rules)} (order ${event.orderId}${event.paymentIndex ? `, payment ${event.paymentIndex + 1}` : ''})${event.remainingRebills === 0 ? ': payment plan complete' : ''}${test}`;
    case 'payment_failed':
      return `Payment for ${name(event.item, rules)} (order ${event.orderId}) failed${event.amountCents === null ? '' : ` (${describeMoney(event.amountCents)} due)`}${test}`;
    case 'cancellation':
      return `Cancelled ${name(event.item, rules)} (order ${event.orderId})${event.paidThrough === null ? '' : `; paid through ${describeDay(event.paidThrough)}`}${test}`;
    case 'paused':
      return `Paused ${name(event.item, rules)} (order ${event.orderId})${test}`;
    case 'resumed':
      return `Resumed ${name(event.item, rules)} (order ${event.orderId})${test}`;
    case 'refund':
      return `Refunded ${describeMoney(event.amountCents)} of ${name(event.item, rules)} (order ${event.orderId})${test}`;
    case 'customer_updated':
      return `Customer details updated (email ${event.customer.email})${test}`;
    case 'manual_access': {
      const offering = offeringName(rules, event.offering);
      return `${event.action === 'grant' ? 'Granted' : 'Revoked'} ${offering} by hand (${event.actor}${event.note ? `: ${event.note}` : ''})`;
    }
  }
}

/** The offering names an item grants, else the item key: "Focus Course (product-12)". */
function name(item: ItemKey, rules: LedgerRules): string {
  const grants = rules.items.get(item)?.grants ?? [];
  const names = grants.map((id) => offeringName(rules, id));
  return names.length > 0 ? `${names.join(' + ')} (${item})` : item;
}
