/**
 * Builds deliveries the way ThriveCart sends them, for `handoff simulate` and for tests.
 *
 * The shapes follow the public captures (docs/thrivecart-webhooks.md §4): every leaf is a string,
 * absent values are "null"/"false", names are HTML-escaped, dates are Unix seconds with their
 * text twins, and later events carry the ORIGINAL order block (old date, old total) so that a
 * receiver reading time or money from `order[...]` gets it visibly wrong. Everything not given in
 * the options is derived deterministically (mostly from the email), so tests can rely on it.
 */
import { createHash } from 'node:crypto';
import type { FieldValue, Fields } from './parse-body.ts';
import { DAY_MS } from '../../../core/time.ts';

/** Every event `simulate` can send, in the order the CLI lists them. */
export const SIMULATED_EVENTS = [
  'purchase',
  'renewal',
  'failed',
  'refund',
  'cancel',
  'pause',
  'resume',
  'customer_updated',
  'abandoned',
  'affiliate',
] as const;

export type SimulatedEvent = (typeof SIMULATED_EVENTS)[number];

export interface SimulateOptions {
  account: string;
  secret: string;
  email: string;
  /** `product-12`, `bump-12`, `upsell-2`, `downsell-5`. */
  item: string;
  /** More items in the same order (purchase). */
  extraItems?: string[];
  orderId?: string;
  customerId?: string;
  firstName?: string;
  lastName?: string;
  amountCents?: number;
  refundAmountCents?: number;
  /** Event time. */
  occurredAt?: Date;
  /** cancel: billing_period_end. */
  paidThrough?: Date;
  nextPaymentAt?: Date;
  paymentIndex?: number;
  remainingRebills?: number | null;
  /** purchase: add future_charges for the item. */
  recurring?: boolean;
  testMode?: boolean;
  invoiceId?: string;
  /** customer_updated: the customer's new email. */
  newEmail?: string;
}

const EVENT_NAMES: Record<SimulatedEvent, string> = {
  purchase: 'order.success',
  renewal: 'order.subscription_payment',
  failed: 'order.rebill_failed',
  refund: 'order.refund',
  cancel: 'order.subscription_cancelled',
  pause: 'order.subscription_paused',
  resume: 'order.subscription_resumed',
  customer_updated: 'customer_updated',
  abandoned: 'cart.abandoned',
  affiliate: 'affiliate.commission_earned',
};

const DEFAULT_OCCURRED_AT = new Date('2025-10-24T17:57:27Z');
/** Later events point back to an order placed this long before them. */
const ORIGINAL_ORDER_AGE_MS = 62 * DAY_MS;
const DEFAULT_ITEM_CENTS: Record<string, number> = { product: 4700, bump: 1900, upsell: 9700, downsell: 4700 };

/** Deterministic digits from a seed, so defaults are stable across runs. */
function digitsFrom(seed: string, length: number): string {
  const hex = createHash('sha256').update(seed).digest('hex');
  return BigInt(`0x${hex}`).toString().slice(0, length).padStart(length, '0');
}

/** ThriveCart customer ids are 18 digits (e.g. 429583657727489355): beyond exact JS numbers. */
function defaultCustomerId(email: string): string {
  return `4295836577${digitsFrom(`customer:${email}`, 8)}`;
}

/** A null-prototype group, like the parser produces. */
function fieldGroup(entries: Record<string, FieldValue>): Fields {
  return Object.assign(Object.create(null) as Fields, entries);
}

function unixSeconds(date: Date): string {
  return String(Math.floor(date.getTime() / 1000));
}

/** `2025-10-24 17:57:27` (UTC), the form ThriveCart uses beside the ISO and Unix twins. */
function sqlDateTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

function iso8601(date: Date): string {
  return `${date.toISOString().slice(0, 19)}+00:00`;
}

function money(cents: number): string {
  return (cents / 100).toFixed(2);
}

/** `date`, `date_iso8601`, `date_unix` with the given prefix. */
function dateTriple(prefix: string, date: Date): Record<string, string> {
  return { [prefix]: sqlDateTime(date), [`${prefix}_iso8601`]: iso8601(date), [`${prefix}_unix`]: unixSeconds(date) };
}

interface SimulatedItem {
  key: string;
  type: string;
  id: string;
  name: string;
  cents: number;
  pricingOptionId: string;
}

function describeItem(key: string, cents: number | undefined): SimulatedItem {
  const dash = key.indexOf('-');
  const type = dash === -1 ? 'product' : key.slice(0, dash);
  const id = dash === -1 ? key : key.slice(dash + 1);
  const names: Record<string, string> = {
    product: `Course ${id} &amp; Community`,
    bump: `Workbook &amp; Templates ${id}`,
    upsell: `Coaching Calls ${id}`,
    downsell: `Coaching Lite ${id}`,
  };
  return {
    key,
    type,
    id,
    name: names[type] ?? `Item ${id}`,
    cents: cents ?? DEFAULT_ITEM_CENTS[type] ?? 4700,
    pricingOptionId: `8${digitsFrom(`plan:${key}`, 4)}`,
  };
}

interface Context {
  options: SimulateOptions;
  occurredAt: Date;
  orderDate: Date;
  orderId: string;
  invoiceId: string;
  customerId: string;
  main: SimulatedItem;
  items: SimulatedItem[];
  subscriptionId: string;
}

function contextFor(event: SimulatedEvent, options: SimulateOptions): Context {
  const occurredAt = options.occurredAt ?? DEFAULT_OCCURRED_AT;
  const orderId = options.orderId ?? digitsFrom(`order:${options.email}`, 8).replace(/^0/, '3');
  const main = describeItem(options.item, options.amountCents);
  return {
    options,
    occurredAt,
    orderDate: event === 'purchase' ? occurredAt : new Date(occurredAt.getTime() - ORIGINAL_ORDER_AGE_MS),
    orderId,
    invoiceId: `000${digitsFrom(`invoice:${orderId}`, 6)}`,
    customerId: options.customerId ?? defaultCustomerId(options.email),
    main,
    items: [main, ...(options.extraItems ?? []).map((key) => describeItem(key, undefined))],
    subscriptionId: digitsFrom(`subscription:${orderId}:${options.item}`, 7).replace(/^0/, '5'),
  };
}

function header(event: SimulatedEvent, context: Context): Record<string, FieldValue> {
  const { options } = context;
  return {
    event: EVENT_NAMES[event],
    mode: options.testMode ? 'test' : 'live',
    mode_int: options.testMode ? '1' : '2',
    thrivecart_account: options.account,
    thrivecart_secret: options.secret,
  };
}

function customerBlock(context: Context, email: string): Fields {
  const first = context.options.firstName ?? 'Sam';
  const last = context.options.lastName ?? 'Rivera';
  return fieldGroup({
    id: context.customerId,
    client_user_agent:
      'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/141.0.0.0 Safari/537.36',
    origin: 'vanity',
    email,
    name: `${first} ${last}`,
    contactno: '+44 20 7946 0958',
    business_name: '',
    ip_address: '203.0.113.24',
    address: fieldGroup({
      country: 'GB',
      line1: '1 Example Street',
      city: 'London',
      state: 'Not applicable',
      zip: 'N1 9GU',
    }),
    first_name: first,
    last_name: last,
    checkbox_confirmation: 'false',
  });
}

function baseProduct(context: Context): Record<string, string> {
  const front = context.items.find((item) => item.type === 'product') ?? context.main;
  return {
    base_product: front.id,
    base_product_name: front.name,
    base_product_label: '',
    base_product_owner: '72586',
  };
}

function originalTotal(context: Context): number {
  return context.items.reduce((sum, item) => sum + item.cents, 0);
}

/** The order block; on later events it describes the ORIGINAL order, without charges. */
function orderBlock(context: Context, charges: Record<string, FieldValue> = {}): Fields {
  const total = originalTotal(context);
  return fieldGroup({
    id: context.orderId,
    invoice_id: context.invoiceId,
    processor: 'stripe_connect+',
    total: String(total),
    total_str: money(total),
    total_gross: String(total),
    total_gross_str: money(total),
    ...dateTriple('date', context.orderDate),
    tracking_id: 'null',
    tax: 'null',
    payment_method: 'card',
    ...charges,
  });
}

function chargeLine(item: SimulatedItem, extra: Record<string, string>): Fields {
  return fieldGroup({
    name: item.name,
    label: '',
    reference: item.id,
    item_type: item.type,
    // Underscore form here, hyphen form in the maps (trap §6.6).
    item_identifier: `${item.type}_${item.id}`,
    amount: String(item.cents),
    amount_str: money(item.cents),
    original_amount: String(item.cents),
    original_amount_str: money(item.cents),
    ...extra,
    amount_gross: String(item.cents),
    amount_gross_str: money(item.cents),
    tax_paid: '0',
    tax_paid_str: '0.00',
    payment_plan_id: item.pricingOptionId,
    payment_plan_name: `${item.name} ($${money(item.cents)})`,
  });
}

function keyed(items: SimulatedItem[], value: (item: SimulatedItem) => string): Fields {
  return fieldGroup(Object.fromEntries(items.map((item) => [item.key, value(item)])));
}

function purchaseFields(context: Context): Record<string, FieldValue> {
  const { options, items, main } = context;
  const recurringItems = options.recurring ? [main] : [];
  const nextCharge = options.nextPaymentAt ?? new Date(context.occurredAt.getTime() + 30 * DAY_MS);
  const charges = items.map((item) =>
    chargeLine(item, {
      type: 'single',
      quantity: '1',
      unit_price: String(item.cents),
      unit_price_str: money(item.cents),
      defer: 'false',
      related_to_recur: String(recurringItems.includes(item)),
    }),
  );
  const futureCharges = recurringItems.map((item) =>
    chargeLine(item, {
      frequency: 'month',
      frequency_days: '30',
      type: 'recurring',
      defer: 'true',
      due: sqlDateTime(nextCharge),
      defer_date: unixSeconds(nextCharge),
    }),
  );
  const names = items.map((item) => item.name);
  const keys = items.map((item) => item.key);
  const chargeLists: Record<string, FieldValue> =
    futureCharges.length > 0 ? { charges, future_charges: futureCharges } : { charges };
  return {
    ...baseProduct(context),
    order_id: context.orderId,
    invoice_id: options.invoiceId ?? context.invoiceId,
    ...(recurringItems.length > 0 ? { subscription_ids: keyed(recurringItems, () => context.subscriptionId) } : {}),
    order_date: sqlDateTime(context.occurredAt),
    order_timestamp: unixSeconds(context.occurredAt),
    currency: 'USD',
    customer_id: context.customerId,
    customer_identifier: `cus_${digitsFrom(`stripe:${options.email}`, 14)}`,
    customer: customerBlock(context, options.email),
    affiliate: 'null',
    order: orderBlock(context, chargeLists),
    transactions: keyed(items, (item) => `ch_3${digitsFrom(`charge:${context.orderId}:${item.key}`, 20)}`),
    ...(recurringItems.length > 0
      ? {
          subscriptions: keyed(
            recurringItems,
            (item) => `sub_1${digitsFrom(`sub:${context.orderId}:${item.key}`, 20)}`,
          ),
        }
      : {}),
    purchases: names,
    purchase_map: keys,
    purchase_map_flat: keys.join(', '),
    accessible_purchases: [...names],
    accessible_purchase_map: [...keys],
    accessible_purchase_map_flat: keys.join(', '),
    fulfillment: fieldGroup({
      url: `https://${options.account}.thrivecart.com/${main.type}-${main.id}/confirm/${digitsFrom(context.orderId, 12)}/`,
    }),
  };
}

/** Top-level fields shared by every event that follows an order. */
function laterEventFields(
  context: Context,
  invoiceId: string,
  withSubscriptionId: boolean,
): Record<string, FieldValue> {
  return {
    ...dateTriple('date', context.occurredAt),
    ...baseProduct(context),
    base_payment_plan: context.main.pricingOptionId,
    order_id: context.orderId,
    invoice_id: invoiceId,
    ...(withSubscriptionId ? { subscription_id: context.subscriptionId } : {}),
    currency: 'USD',
    customer_id: context.customerId,
    customer_identifier: `cus_${digitsFrom(`stripe:${context.options.email}`, 14)}`,
    customer: customerBlock(context, context.options.email),
    affiliate: 'null',
    order: orderBlock(context),
  };
}

/** What ThriveCart says about the subscribed item on rebill / failure / cancel / pause events. */
function subscriptionBlock(context: Context, extra: Record<string, string>): Fields {
  const { main, options } = context;
  const remaining =
    options.remainingRebills === undefined || options.remainingRebills === null
      ? 'null'
      : String(options.remainingRebills);
  return fieldGroup({
    type: main.type,
    id: main.id,
    [`${main.type}_id`]: main.id,
    name: main.name,
    label: '',
    processor: 'stripe_connect+',
    currency: 'USD',
    invoice_id: context.invoiceId,
    amount: String(main.cents),
    amount_str: money(main.cents),
    original_amount: String(main.cents),
    original_amount_str: money(main.cents),
    amount_gross: String(main.cents),
    amount_gross_str: money(main.cents),
    tax_paid: '0',
    tax_paid_str: '0.00',
    frequency: 'month',
    frequency_days: '30',
    remaining_rebills: remaining,
    ...extra,
  });
}

function rebillInvoice(context: Context): { index: number; invoice: string } {
  const index = context.options.paymentIndex ?? 1;
  return { index, invoice: context.options.invoiceId ?? `${context.invoiceId}-${index}` };
}

function renewalFields(context: Context): Record<string, FieldValue> {
  const { index, invoice } = rebillInvoice(context);
  const next = context.options.nextPaymentAt ?? new Date(context.occurredAt.getTime() + 30 * DAY_MS);
  return {
    ...laterEventFields(context, invoice, true),
    subscription: subscriptionBlock(context, {
      invoice_str: invoice,
      recurring_payment_idx: String(index),
      next_payment_date: unixSeconds(next),
      next_payment_date_iso8601: iso8601(next),
    }),
    recurring_payment_idx: String(index),
  };
}

function failedFields(context: Context): Record<string, FieldValue> {
  const { invoice } = rebillInvoice(context);
  return {
    ...laterEventFields(context, invoice, true),
    subscription: subscriptionBlock(context, { invoice_str: invoice }),
  };
}

function cancelFields(context: Context): Record<string, FieldValue> {
  const paidThrough = context.options.paidThrough ?? new Date(context.occurredAt.getTime() + 12 * DAY_MS);
  return {
    ...laterEventFields(context, context.options.invoiceId ?? context.invoiceId, true),
    subscription: subscriptionBlock(context, {
      billing_period_end: unixSeconds(paidThrough),
      billing_period_end_iso8601: iso8601(paidThrough),
    }),
  };
}

function pauseFields(context: Context): Record<string, FieldValue> {
  return {
    ...laterEventFields(context, context.options.invoiceId ?? context.invoiceId, true),
    subscription: subscriptionBlock(context, {}),
  };
}

function refundFields(context: Context): Record<string, FieldValue> {
  const { main, options } = context;
  const cents = options.refundAmountCents ?? main.cents;
  return {
    ...laterEventFields(context, options.invoiceId ?? context.invoiceId, options.recurring === true),
    refund: fieldGroup({
      type: main.type,
      id: main.id,
      ...(main.type === 'product' ? { product_id: main.id } : {}),
      name: main.name,
      label: '',
      processor: 'stripe_connect+',
      currency: 'USD',
      amount: String(cents),
      amount_str: money(cents),
      amount_gross: String(cents),
      amount_gross_str: money(cents),
      tax_paid: '0',
      tax_paid_str: '0.00',
    }),
    event_id: digitsFrom(`refund:${context.orderId}:${main.key}:${context.occurredAt.getTime()}:${cents}`, 10).replace(
      /^0/,
      '1',
    ),
    'pro-rata': 'false',
  };
}

function customerUpdatedFields(context: Context): Record<string, FieldValue> {
  return {
    ...dateTriple('date', context.occurredAt),
    customer_id: context.customerId,
    customer: customerBlock(context, context.options.newEmail ?? context.options.email),
  };
}

function abandonedFields(context: Context): Record<string, FieldValue> {
  return {
    ...dateTriple('date', context.occurredAt),
    ...baseProduct(context),
    currency: 'USD',
    customer: fieldGroup({
      email: context.options.email,
      name: `${context.options.firstName ?? 'Sam'} ${context.options.lastName ?? 'Rivera'}`,
    }),
  };
}

function affiliateFields(context: Context): Record<string, FieldValue> {
  return {
    ...dateTriple('date', context.occurredAt),
    ...baseProduct(context),
    order_id: context.orderId,
    invoice_id: context.invoiceId,
    currency: 'USD',
    affiliate: fieldGroup({
      id: digitsFrom(`affiliate:${context.options.account}`, 6),
      email: `partner@${context.options.account}.example`,
      commission: String(Math.round(context.main.cents * 0.3)),
    }),
  };
}

const EVENT_BODIES: Record<SimulatedEvent, (context: Context) => Record<string, FieldValue>> = {
  purchase: purchaseFields,
  renewal: renewalFields,
  failed: failedFields,
  refund: refundFields,
  cancel: cancelFields,
  pause: pauseFields,
  resume: pauseFields,
  customer_updated: customerUpdatedFields,
  abandoned: abandonedFields,
  affiliate: affiliateFields,
};

export function buildThriveCartFields(event: SimulatedEvent, options: SimulateOptions): Fields {
  const context = contextFor(event, options);
  return fieldGroup({ ...header(event, context), ...EVENT_BODIES[event](context) });
}

/** PHP `urlencode`: everything but alphanumerics and `-_.` is escaped, spaces become `+`. */
function phpUrlencode(text: string): string {
  return encodeURIComponent(text)
    .replace(/[!'()*~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

function formPairs(value: FieldValue, key: string): string[] {
  if (typeof value === 'string') return [`${phpUrlencode(key)}=${phpUrlencode(value)}`];
  const entries = Array.isArray(value)
    ? value.map((item, index) => [String(index), item] as const)
    : Object.entries(value);
  return entries.flatMap(([child, item]) => formPairs(item, `${key}[${child}]`));
}

/** `customer%5Bemail%5D=...&order%5Bcharges%5D%5B0%5D%5Bamount%5D=...`, as PHP's http_build_query. */
export function encodeForm(body: Fields): string {
  return Object.entries(body)
    .flatMap(([key, value]) => formPairs(value, key))
    .join('&');
}

/** The JSON option: PHP's json_encode escapes `/` as `\/`, as the captures show. */
export function encodeJson(body: Fields): string {
  return JSON.stringify(body).replace(/\//g, '\\/');
}
