/**
 * ThriveCart's transactions and customer records (api-client.ts) → the same CommerceEvents its
 * webhooks give, with the same order, item and subscription keys, so imported history and live
 * webhooks describe one ledger. Pure: time is passed in.
 *
 * Rules (docs/thrivecart-api.md): a `charge` row is a purchase, `rebill` a renewal, `refund` a
 * refund, `cancel` a cancellation. Whether an item is a subscription, and its state, come from
 * `subscription_current_status` on the row or from `POST /customer`; a subscription whose state
 * is unknown is not imported (listed instead): lifetime access is never inferred from a missing
 * date or status.
 */
import {
  ITEM_TYPES,
  itemKey,
  type CommerceEvent,
  type CustomerRef,
  type ItemKey,
  type ItemType,
  type PurchasedItem,
} from '../../../core/events.ts';
import type { ApiCustomer, ApiSubscription, ApiTransaction } from './api-client.ts';
import { DAY_MS } from '../../../core/time.ts';

/** The `source` of deliveries an import wrote: their stored event is the record (replay keeps it). */
export const IMPORT_SOURCES = { api: 'thrivecart-api', csv: 'thrivecart-csv' } as const;

export function isImportSource(source: string): boolean {
  return source === IMPORT_SOURCES.api || source === IMPORT_SOURCES.csv;
}

export interface ImportedEvent {
  /** Permanent: the same transaction gives the same key on every run. */
  dedupKey: string;
  event: CommerceEvent;
  /** What it was built from, kept as the delivery's body. */
  body: unknown;
}

export interface ImportedPerson {
  customer: CustomerRef;
  events: ImportedEvent[];
}

export interface NotImported {
  email: string;
  orderId: string;
  item: string;
  reason: string;
}

export interface ImportedHistory {
  people: ImportedPerson[];
  notImported: NotImported[];
}

const PERIOD_DAYS: Record<string, number> = { day: 1, week: 7, month: 30, year: 365 };

function text(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const result = String(value).trim();
  return result === '' || result === 'null' || result === 'false' ? null : result;
}

function itemOf(type: unknown, id: unknown): ItemKey | null {
  const typeText = text(type);
  const idText = text(id);
  if (
    typeText === null ||
    idText === null ||
    !(ITEM_TYPES as readonly string[]).includes(typeText) ||
    !/^[A-Za-z0-9_.]+$/.test(idText)
  )
    return null;
  return itemKey(typeText as ItemType, idText);
}

/** Unix seconds or a date text → epoch ms. */
/** A transaction time as ThriveCart writes it (unix seconds, or a date and time in UTC), in epoch ms. */
export function timeOf(value: unknown): number | null {
  const raw = text(value);
  if (raw === null) return null;
  if (/^\d+$/.test(raw)) return Number(raw) * 1000;
  const parsed = Date.parse(raw.includes('T') || raw.endsWith('Z') ? raw : `${raw.replace(' ', 'T')}Z`);
  return Number.isNaN(parsed) ? null : parsed;
}

function cents(value: unknown): number {
  const raw = text(value);
  return raw !== null && /^\d+$/.test(raw) ? Number(raw) : 0;
}

function customerRef(row: ApiTransaction): CustomerRef | null {
  const email = text(row.customer?.email)?.toLowerCase() ?? null;
  if (email === null || !/^[^\s@]+@[^\s@]+$/.test(email)) return null;
  const [first, ...rest] = (text(row.customer?.name) ?? '').split(/\s+/);
  return { thrivecartId: text(row.customer?.id), email, firstName: first || null, lastName: rest.join(' ') || null };
}

/** Buyers `POST /customer` must be asked about: rows that show or may hide a subscription. */
export function buyersToLookUp(transactions: readonly ApiTransaction[]): string[] {
  const emails = new Set<string>();
  for (const row of transactions) {
    const email = customerRef(row)?.email;
    if (!email) continue;
    const type = text(row.transaction_type);
    const statusKnown = Object.hasOwn(row, 'subscription_current_status');
    if (type === 'rebill' || type === 'cancel' || !statusKnown || text(row.subscription_current_status) !== null)
      emails.add(email);
  }
  return [...emails].sort();
}

interface Line {
  orderId: string;
  item: ItemKey;
  rows: ApiTransaction[];
}

/** Builds every buyer's imported history from the walked transactions and the customer records. */
export function importedHistory(
  transactions: readonly ApiTransaction[],
  customers: ReadonlyMap<string, ApiCustomer | null>,
): ImportedHistory {
  const byPerson = new Map<string, { customer: CustomerRef; lines: Map<string, Line> }>();
  const notImported: NotImported[] = [];
  for (const row of transactions) {
    const customer = customerRef(row);
    const item = itemOf(row.item_type, row.item_id);
    const orderId = text(row.order_id);
    if (customer === null || item === null || orderId === null || timeOf(row.timestamp) === null) {
      notImported.push({
        email: customer?.email ?? '',
        orderId: orderId ?? '',
        item: item ?? String(row.item_type ?? ''),
        reason: 'transaction without a customer e-mail, item, order id or time',
      });
      continue;
    }
    const person = byPerson.get(customer.email) ?? { customer, lines: new Map() };
    byPerson.set(customer.email, person);
    const key = `${orderId}:${item}`;
    const line = person.lines.get(key) ?? { orderId, item, rows: [] };
    line.rows.push(row);
    person.lines.set(key, line);
  }
  const people: ImportedPerson[] = [];
  for (const [email, person] of byPerson) {
    const record = customers.get(email);
    const events: ImportedEvent[] = [];
    for (const line of person.lines.values()) {
      const subscription = record?.subscriptions?.find(
        (entry) => text(entry.order_id) === line.orderId && itemOf(entry.item_type, entry.item_id) === line.item,
      );
      const built = lineEvents(person.customer, line, subscription, customers.has(email));
      if ('reason' in built) notImported.push({ email, orderId: line.orderId, item: line.item, reason: built.reason });
      else events.push(...built.events);
    }
    if (events.length > 0) people.push({ customer: person.customer, events });
  }
  return { people, notImported };
}

function lineEvents(
  customer: CustomerRef,
  line: Line,
  subscription: ApiSubscription | undefined,
  askedCustomer: boolean,
): { events: ImportedEvent[] } | { reason: string } {
  const rows = [...line.rows].sort((a, b) => (timeOf(a.timestamp) ?? 0) - (timeOf(b.timestamp) ?? 0));
  const rowStatus =
    rows
      .map((row) => text(row.subscription_current_status))
      .filter((status) => status !== null)
      .at(-1) ?? null;
  const status = text(subscription?.status) ?? rowStatus;
  const recurring =
    status !== null ||
    rows.some((row) => text(row.transaction_type) === 'rebill' || text(row.transaction_type) === 'cancel');
  const statusUnknown = recurring && status === null;
  const statusMissingEverywhere =
    !askedCustomer && rows.every((row) => !Object.hasOwn(row, 'subscription_current_status'));
  if (statusUnknown || statusMissingEverywhere) {
    return {
      reason:
        'whether this is a subscription, and its state, is unknown (no subscription_current_status, and POST /customer did not say); not imported rather than granting access with no end',
    };
  }
  const base = (row: ApiTransaction) => ({
    occurredAt: timeOf(row.timestamp)!,
    live: true,
    customer,
    orderId: line.orderId,
  });
  const key = (kind: string, row: ApiTransaction) =>
    `tc-api:${kind}:${line.orderId}:${line.item}:${text(row.event_id) ?? `${timeOf(row.timestamp)}:${cents(row.amount)}`}`;
  const name = text(subscription?.item_name) ?? line.item;
  const nextPaymentAt = timeOf(subscription?.next_payment);
  const events: ImportedEvent[] = [];
  const charges = rows.filter((row) => text(row.transaction_type) === 'charge');
  const first = charges[0] ?? rows[0]!;
  const purchased: PurchasedItem = {
    item: line.item,
    name,
    amountCents: charges.reduce((sum, row) => sum + cents(row.amount), 0),
    pricingOptionId: null,
    recurring,
    thrivecartSubscriptionId: text(subscription?.subscription_id),
    nextChargeAt: status === 'active' ? nextPaymentAt : null,
  };
  events.push({
    dedupKey: `tc-api:purchase:${line.orderId}:${line.item}`,
    event: {
      kind: 'purchase',
      ...base(first),
      invoiceId: text(first.invoice_id),
      currency: text(first.currency)?.toUpperCase() ?? 'USD',
      items: [purchased],
    },
    body: charges.length > 0 ? charges : [first],
  });
  const rebills = rows.filter((row) => text(row.transaction_type) === 'rebill');
  for (const [index, row] of rebills.entries()) {
    const last = index === rebills.length - 1;
    events.push({
      dedupKey: key('renewal', row),
      event: {
        kind: 'renewal',
        ...base(row),
        item: line.item,
        itemName: name,
        invoiceId: text(row.invoice_id),
        amountCents: cents(row.amount),
        paymentIndex: null,
        nextPaymentAt: last && status === 'active' ? nextPaymentAt : null,
        remainingRebills: last && status === 'completed' ? 0 : null,
      },
      body: row,
    });
  }
  for (const row of rows.filter((candidate) => text(candidate.transaction_type) === 'refund')) {
    events.push({
      dedupKey: key('refund', row),
      event: { kind: 'refund', ...base(row), item: line.item, itemName: name, amountCents: cents(row.amount) },
      body: row,
    });
  }
  const cancel = rows.find((row) => text(row.transaction_type) === 'cancel');
  if (cancel || status === 'cancelled') {
    const at = cancel
      ? timeOf(cancel.timestamp)!
      : (timeOf(subscription?.last_payment) ?? timeOf(rows.at(-1)!.timestamp)!);
    events.push({
      dedupKey: `tc-api:cancellation:${line.orderId}:${line.item}`,
      event: {
        kind: 'cancellation',
        ...base(cancel ?? rows.at(-1)!),
        occurredAt: at,
        item: line.item,
        itemName: name,
        paidThrough: paidThrough(subscription, rows),
      },
      body: cancel ?? subscription ?? null,
    });
  }
  if (status === 'paused') {
    const last = rows.at(-1)!;
    events.push({
      dedupKey: `tc-api:paused:${line.orderId}:${line.item}`,
      event: { kind: 'paused', ...base(last), item: line.item, itemName: name },
      body: subscription ?? null,
    });
  }
  return { events };
}

/** The end of the last paid period: the last payment plus one period of its frequency; null (access ends at the cancellation) when either is unknown. */
function paidThrough(subscription: ApiSubscription | undefined, rows: readonly ApiTransaction[]): number | null {
  const paid = rows.filter((row) => text(row.transaction_type) === 'charge' || text(row.transaction_type) === 'rebill');
  const lastPayment = timeOf(subscription?.last_payment) ?? (paid.length > 0 ? timeOf(paid.at(-1)!.timestamp) : null);
  const days = PERIOD_DAYS[text(subscription?.frequency)?.toLowerCase() ?? ''];
  return lastPayment !== null && days !== undefined ? lastPayment + days * DAY_MS : null;
}
