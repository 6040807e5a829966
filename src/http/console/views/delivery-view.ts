import type { CommerceEvent, ItemKey } from '../../../core/events.ts';
import { describeMoney } from '../../../core/describe.ts';
import { offeringName, type LedgerRules } from '../../../core/ledger/rules.ts';
import type { DeliveryStatus } from '../../../adapters/store/deliveries.ts';
import type { Tone } from './tone.ts';

type EventKind = CommerceEvent['kind'];

const KIND_LABELS: Record<Exclude<EventKind, 'manual_access'>, string> = {
  purchase: 'Purchase',
  renewal: 'Renewal',
  payment_failed: 'Payment failed',
  cancellation: 'Cancelled',
  paused: 'Paused',
  resumed: 'Resumed',
  refund: 'Refund',
  customer_updated: 'Details updated',
};

/** ThriveCart's event names (docs/thrivecart-webhooks.md), for deliveries Handoff could not turn into an event. */
const THRIVECART_LABELS: Record<string, string> = {
  'order.success': KIND_LABELS.purchase,
  'order.subscription_payment': KIND_LABELS.renewal,
  'order.rebill_failed': KIND_LABELS.payment_failed,
  'order.subscription_cancelled': KIND_LABELS.cancellation,
  'order.subscription_paused': KIND_LABELS.paused,
  'order.subscription_resumed': KIND_LABELS.resumed,
  'order.refund': KIND_LABELS.refund,
  customer_updated: KIND_LABELS.customer_updated,
  'cart.abandoned': 'Abandoned cart',
};

/** "Purchase", "Refund", "Payment failed"…: what the delivery was, in the creator's words. */
export function eventLabel(eventName: string, event: CommerceEvent | null): string {
  const imported = eventName.startsWith('import.') ? ' (imported)' : '';
  if (event?.kind === 'manual_access') return event.action === 'grant' ? 'Granted by hand' : 'Revoked by hand';
  if (event) return KIND_LABELS[event.kind] + imported;
  if (eventName.startsWith('affiliate.')) return 'Affiliate commission';
  return THRIVECART_LABELS[eventName] ?? (eventName === '' ? 'Unnamed call' : eventName);
}

/** The item names the delivery is about: ThriveCart's names, else the offerings the configuration maps the item to. */
export function eventItems(event: CommerceEvent | null, rules: LedgerRules): string {
  if (event === null) return '';
  switch (event.kind) {
    case 'purchase':
      return event.items.map((item) => item.name || itemName(item.item, rules)).join(', ');
    case 'customer_updated':
      return '';
    case 'manual_access':
      return offeringName(rules, event.offering);
    default:
      return event.itemName || itemName(event.item, rules);
  }
}

function itemName(item: ItemKey, rules: LedgerRules): string {
  const grants = rules.items.get(item)?.grants ?? [];
  return grants.length > 0 ? grants.map((id) => offeringName(rules, id)).join(' + ') : item;
}

/** The money the delivery moved ("$49.00", "−$20.00" for a refund, "$9.00 due" for a failed payment), or ''. */
export function eventAmount(event: CommerceEvent | null): string {
  if (event === null) return '';
  switch (event.kind) {
    case 'purchase':
      return describeMoney(
        event.items.reduce((sum, item) => sum + item.amountCents, 0),
        event.currency,
      );
    case 'renewal':
      return describeMoney(event.amountCents);
    case 'refund':
      return `−${describeMoney(event.amountCents)}`;
    case 'payment_failed':
      return event.amountCents === null ? '' : `${describeMoney(event.amountCents)} due`;
    default:
      return '';
  }
}

const OUTCOMES: Record<DeliveryStatus, { label: string; tone: Tone }> = {
  applied: { label: 'applied', tone: 'ok' },
  ignored: { label: 'ignored', tone: 'plain' },
  failed: { label: 'failed', tone: 'bad' },
  rejected: { label: 'rejected', tone: 'bad' },
};

/** The badge for what Handoff did with the delivery. */
export function outcomeOf(status: DeliveryStatus): { label: string; tone: Tone } {
  return OUTCOMES[status];
}
