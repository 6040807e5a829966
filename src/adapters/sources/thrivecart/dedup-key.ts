/**
 * Idempotency key for a ThriveCart delivery: the same happening gives the same key however often
 * and in whatever encoding it is re-sent; different happenings give different keys.
 *
 * `order_id` alone is NOT an identity (it stays the same on every rebill, failure, refund and
 * cancellation of an order), so each event's key combines the fields that distinguish one
 * occurrence from the next: the rebill's own invoice id and index, the item, the event time,
 * `event_id`, the amount. The secret word is never part of the key.
 */
import { hash } from 'node:crypto';
import { fieldAt, type FieldValue, type Fields } from './parse-body.ts';
import { redactSecret } from './redact.ts';

type Path = readonly string[];

const ACCOUNT_AND_TIME: Path[] = [['thrivecart_account'], ['date_unix'], ['event_id']];
const SUBSCRIPTION_ITEM: Path[] = [
  ['subscription', 'type'],
  ['subscription', 'id'],
];

/** What makes one occurrence of each event distinct, beyond the event name. */
const IDENTITY_FIELDS = new Map<string, Path[]>(
  Object.entries({
    // A checkout completes once: the order id is its identity, even if a re-send carried a new time.
    'order.success': [['thrivecart_account'], ['order_id'], ['order', 'id'], ['invoice_id']],
    // Rebills share order_id; each has its own invoice id (`-N`), index and time.
    'order.subscription_payment': [
      ...ACCOUNT_AND_TIME,
      ['order_id'],
      ['invoice_id'],
      ['recurring_payment_idx'],
      ...SUBSCRIPTION_ITEM,
      ['subscription', 'recurring_payment_idx'],
      ['subscription', 'amount'],
    ],
    // Retries of one invoice repeat everything but the time.
    'order.rebill_failed': [
      ...ACCOUNT_AND_TIME,
      ['order_id'],
      ['invoice_id'],
      ...SUBSCRIPTION_ITEM,
      ['subscription', 'amount'],
    ],
    'order.subscription_cancelled': [...ACCOUNT_AND_TIME, ['order_id'], ['subscription_id'], ...SUBSCRIPTION_ITEM],
    'order.subscription_paused': [...ACCOUNT_AND_TIME, ['order_id'], ['subscription_id'], ...SUBSCRIPTION_ITEM],
    'order.subscription_resumed': [...ACCOUNT_AND_TIME, ['order_id'], ['subscription_id'], ...SUBSCRIPTION_ITEM],
    // One refund event per refunded item; partial refunds of one item differ by time and amount.
    'order.refund': [...ACCOUNT_AND_TIME, ['order_id'], ['refund', 'type'], ['refund', 'id'], ['refund', 'amount']],
    customer_updated: [
      ...ACCOUNT_AND_TIME,
      ['customer_id'],
      ['customer', 'id'],
      ['customer', 'email'],
      ['customer', 'first_name'],
      ['customer', 'last_name'],
      ['customer', 'name'],
    ],
  }),
);

/**
 * Key order and list-vs-indexed-group are encoding accidents, not meaning: objects are emitted
 * with sorted keys and arrays as index-keyed objects, so form and JSON bodies agree.
 */
function canonical(value: FieldValue | undefined): unknown {
  if (value === undefined || typeof value === 'string') return value ?? null;
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : Object.entries(value);
  return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, item]) => [key, canonical(item)]);
}

function sha256Hex(text: string): string {
  return hash('sha256', text, 'hex');
}

export function thrivecartDedupKey(fields: Fields): string {
  const event = fieldAt(fields, ['event']);
  const identity = typeof event === 'string' ? IDENTITY_FIELDS.get(event.trim()) : undefined;
  const material = identity
    ? ['identity', event, ...identity.map((path) => canonical(fieldAt(fields, path)))]
    : ['body', canonical(redactSecret(fields))];
  return `tc:${sha256Hex(JSON.stringify(material))}`;
}
