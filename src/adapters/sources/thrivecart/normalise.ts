/**
 * Maps one parsed ThriveCart account-webhook delivery onto the core's event vocabulary.
 *
 * The traps this is written against (see docs/thrivecart-webhooks.md §6): later events carry the
 * ORIGINAL `order[...]` block, so their time and money come from top-level `date_unix` and the
 * `subscription[...]` / `refund[...]` blocks; items are identified by type AND id (a bump shares
 * its product's id); dates are Unix seconds; absent values arrive as the strings "null"/"false".
 */
import {
  ITEM_TYPES,
  itemKey,
  type CommerceEvent,
  type CustomerRef,
  type IgnoredDelivery,
  type ItemKey,
  type ItemType,
  type PurchasedItem,
} from '../../../core/events.ts';
import { fieldAt, type FieldValue, type Fields } from './parse-body.ts';
import { normaliseEmail } from '../../../core/email-address.ts';

/** The delivery is authentic but unusable; the message names the field. */
export class NormaliseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NormaliseError';
  }
}

/** Far above any real charge ($100M), low enough to stay an exact JS number. */
const MAX_AMOUNT_CENTS = 10 ** 10;
/** Year 5138: a larger "seconds" value is almost certainly milliseconds sent by mistake. */
const MAX_UNIX_SECONDS = 10 ** 11;
/** ThriveCart writes absent values as these strings rather than leaving the field out. */
const ABSENT_TEXT = new Set(['', 'null', 'false']);

type Path = readonly string[];

function describe(path: Path): string {
  const [head, ...rest] = path;
  return `${head ?? ''}${rest.map((segment) => `[${segment}]`).join('')}`;
}

/** The trimmed text at `path`, or null when absent / "null" / "false" / blank. */
function optionalText(fields: Fields, path: Path): string | null {
  const value = fieldAt(fields, path);
  if (value === undefined) return null;
  if (typeof value !== 'string') throw new NormaliseError(`${describe(path)} must be text, not a list or group`);
  const trimmed = value.trim();
  return ABSENT_TEXT.has(trimmed) ? null : trimmed;
}

function requiredText(fields: Fields, path: Path): string {
  const text = optionalText(fields, path);
  if (text === null) throw new NormaliseError(`missing ${describe(path)}`);
  return text;
}

/** The first of several alternative fields that is present. */
function firstText(fields: Fields, paths: readonly Path[]): string | null {
  for (const path of paths) {
    const text = optionalText(fields, path);
    if (text !== null) return text;
  }
  return null;
}

function parseWholeNumber(text: string, path: Path, max: number): number {
  if (!/^\d+$/.test(text) || Number(text) > max) {
    throw new NormaliseError(`${describe(path)} must be a whole number up to ${max}, got "${text.slice(0, 30)}"`);
  }
  return Number(text);
}

function optionalCents(fields: Fields, path: Path): number | null {
  const text = optionalText(fields, path);
  return text === null ? null : parseWholeNumber(text, path, MAX_AMOUNT_CENTS);
}

function requiredCents(fields: Fields, path: Path): number {
  return parseWholeNumber(requiredText(fields, path), path, MAX_AMOUNT_CENTS);
}

function optionalCount(fields: Fields, path: Path): number | null {
  const text = optionalText(fields, path);
  return text === null ? null : parseWholeNumber(text, path, Number.MAX_SAFE_INTEGER);
}

/** Unix seconds (never ISO) → epoch milliseconds. */
function optionalUnixSeconds(fields: Fields, path: Path): number | null {
  const text = optionalText(fields, path);
  if (text === null) return null;
  const seconds = parseWholeNumber(text, path, MAX_UNIX_SECONDS);
  if (seconds === 0) throw new NormaliseError(`${describe(path)} must be a Unix time in seconds, got "0"`);
  return seconds * 1000;
}

/** `YYYY-MM-DD HH:MM:SS` in UTC (matches the `+00:00` ISO twin ThriveCart sends beside it). */
function optionalUtcDateTime(fields: Fields, path: Path): number | null {
  const text = optionalText(fields, path);
  if (text === null) return null;
  const match = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})$/.exec(text);
  const millis = match ? Date.parse(`${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z`) : NaN;
  if (Number.isNaN(millis))
    throw new NormaliseError(`${describe(path)} must be "YYYY-MM-DD HH:MM:SS", got "${text.slice(0, 30)}"`);
  return millis;
}

/**
 * When the event happened. Later events (rebill, refund, cancel...) carry the original order's
 * `order_timestamp` / `order[date_unix]`, so only an order.success may fall back to them.
 * `fallback` (the arrival time) is only given for events no public capture shows with a date.
 */
function eventTime(fields: Fields, isOrderSuccess: boolean, fallback: number | null): number {
  const candidates: Path[] = isOrderSuccess
    ? [['date_unix'], ['order_timestamp'], ['order', 'date_unix']]
    : [['date_unix']];
  for (const path of candidates) {
    const millis = optionalUnixSeconds(fields, path);
    if (millis !== null) return millis;
  }
  if (fallback !== null) return fallback;
  throw new NormaliseError(`missing event time (${candidates.map(describe).join(', ')})`);
}

const NAMED_ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00A0' };

/** ThriveCart HTML-escapes names (`&amp;`). One pass, so `&amp;lt;` stays `&lt;` as written. */
function decodeHtmlEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body.startsWith('#')) {
      const codePoint = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      const printable = codePoint > 0 && codePoint <= 0x10ffff && (codePoint < 0xd800 || codePoint > 0xdfff);
      return printable ? String.fromCodePoint(codePoint) : entity;
    }
    return NAMED_ENTITIES[body.toLowerCase()] ?? entity;
  });
}

/** Decoded and trimmed; blank becomes null so a blank never overwrites a CRM name. */
function displayText(raw: string | null): string | null {
  if (raw === null) return null;
  const text = decodeHtmlEntities(raw).trim();
  return text === '' ? null : text;
}

const EMAIL_SHAPE = /^[^\s@]+@[^\s@]+$/;

function customerOf(fields: Fields): CustomerRef {
  const email = normaliseEmail(requiredText(fields, ['customer', 'email']));
  if (!EMAIL_SHAPE.test(email)) throw new NormaliseError('customer[email] is not an email address');
  let firstName = displayText(optionalText(fields, ['customer', 'first_name']));
  let lastName = displayText(optionalText(fields, ['customer', 'last_name']));
  if (firstName === null && lastName === null) {
    // Some checkouts only collect a full name; the first word is the best guess at a first name.
    const [first, ...rest] = (displayText(optionalText(fields, ['customer', 'name'])) ?? '').split(/\s+/);
    firstName = first || null;
    lastName = rest.join(' ') || null;
  }
  return {
    // Kept as text: ThriveCart ids can have 18 digits, beyond exact JS numbers.
    thrivecartId: firstText(fields, [['customer_id'], ['customer', 'id']]),
    email,
    firstName,
    lastName,
  };
}

function isItemType(text: string): text is ItemType {
  return (ITEM_TYPES as readonly string[]).includes(text);
}

const ITEM_ID_SHAPE = /^[A-Za-z0-9_.]+$/;

function toItemKey(type: string, id: string, where: string): ItemKey {
  if (!isItemType(type)) throw new NormaliseError(`${where}: unknown item type "${type.slice(0, 30)}"`);
  if (!ITEM_ID_SHAPE.test(id)) throw new NormaliseError(`${where}: invalid item id "${id.slice(0, 30)}"`);
  return itemKey(type, id);
}

/** `product-12` as written in purchase_map; whole token, type and id. */
function parseItemKey(token: string, where: string): ItemKey {
  const dash = token.indexOf('-');
  if (dash === -1) throw new NormaliseError(`${where}: "${token.slice(0, 30)}" is not an item key like product-12`);
  return toItemKey(token.slice(0, dash), token.slice(dash + 1), where);
}

/** The item a subscription / refund block names by `type` + `id`. */
function blockItem(fields: Fields, block: 'subscription' | 'refund'): ItemKey {
  const type = requiredText(fields, [block, 'type']);
  const id = requiredText(fields, [block, 'id']);
  return toItemKey(type, id, `${block}[type]/${block}[id]`);
}

/**
 * Entries of a list that may arrive as an array or as an index-keyed group (both shapes occur,
 * depending on encoding), each with its own key so errors can name the exact field.
 */
function entriesAt(fields: Fields, path: Path): [string, FieldValue][] {
  const value = fieldAt(fields, path);
  if (value === undefined || typeof value === 'string') return [];
  return Array.isArray(value) ? value.map((entry, index) => [String(index), entry]) : Object.entries(value);
}

interface Charge {
  /** The item the line is for; null when the line does not say and cannot be matched to one. */
  item: ItemKey | null;
  /** Full path of the charge line, e.g. ['order', 'charges', '0']. */
  path: Path;
  /** A `type=recurring` line: the next period, scheduled, not money charged now. */
  recurring: boolean;
}

/**
 * The item a charge line is for. Current bodies say it with `item_type` + `reference` (or
 * `item_identifier`, `product_12`); older ones only give `reference`, the numeric id, which a
 * bump shares with its product: it names an item only when exactly one purchased item has that
 * id, else the line's `name` must match the item's name in `purchases[]`.
 */
function chargeItem(fields: Fields, path: Path, mapped: readonly MappedItem[]): ItemKey | null {
  const type = optionalText(fields, [...path, 'item_type']);
  const reference = optionalText(fields, [...path, 'reference']);
  if (type !== null && reference !== null && isItemType(type) && ITEM_ID_SHAPE.test(reference))
    return itemKey(type, reference);
  const identifier = optionalText(fields, [...path, 'item_identifier']);
  const underscore = identifier?.indexOf('_') ?? -1;
  if (identifier && underscore > 0) {
    const [idType, id] = [identifier.slice(0, underscore), identifier.slice(underscore + 1)];
    if (isItemType(idType) && ITEM_ID_SHAPE.test(id)) return itemKey(idType, id);
  }
  if (reference === null) return null;
  const sameId = mapped.filter((entry) => entry.item.slice(entry.item.indexOf('-') + 1) === reference);
  if (sameId.length === 1) return sameId[0]?.item ?? null;
  const name = displayText(optionalText(fields, [...path, 'name']));
  return sameId.find((entry) => name !== null && entry.name === name)?.item ?? null;
}

/** `order[charges]` or `order[future_charges]`; a line that names no item it can be tied to keeps `item: null`. */
function chargesAt(fields: Fields, list: 'charges' | 'future_charges', mapped: readonly MappedItem[]): Charge[] {
  return entriesAt(fields, ['order', list]).map(([key, entry]) => {
    const path = ['order', list, key];
    if (typeof entry === 'string' || Array.isArray(entry))
      throw new NormaliseError(`${describe(path)} must be a group of fields`);
    return {
      item: chargeItem(fields, path, mapped),
      path,
      recurring: list === 'future_charges' || optionalText(fields, [...path, 'type']) === 'recurring',
    };
  });
}

interface MappedItem {
  item: ItemKey;
  /** Its name in `purchases[]` at the same position, when there is one. */
  name: string | null;
}

/** The item keys of `purchase_map`, else `purchase_map_flat`, else the `accessible_` twins of both. */
function itemMap(fields: Fields, prefix: '' | 'accessible_'): ItemKey[] {
  const list = `${prefix}purchase_map`;
  const mapped = entriesAt(fields, [list]).map(([key]) => requiredText(fields, [list, key]));
  const tokens =
    mapped.length > 0 ? mapped : (optionalText(fields, [`${list}_flat`]) ?? '').split(',').map((token) => token.trim());
  return [...new Set(tokens.filter((token) => token !== '').map((token) => parseItemKey(token, list)))];
}

/**
 * Items in checkout order: purchase_map (or its flat or `accessible_` twins), then any charged item
 * it missed; a body with neither names the front-end product by `base_product`.
 */
function purchasedItems(fields: Fields): MappedItem[] {
  let keys = itemMap(fields, '');
  if (keys.length === 0) keys = itemMap(fields, 'accessible_');
  const mapped = keys.map((item, position) => ({
    item,
    name: displayText(optionalText(fields, ['purchases', String(position)])),
  }));
  const charged = [...chargesAt(fields, 'charges', mapped), ...chargesAt(fields, 'future_charges', mapped)].map(
    (charge) => charge.item,
  );
  for (const item of charged)
    if (item !== null && !mapped.some((entry) => entry.item === item)) mapped.push({ item, name: null });
  const baseProduct = optionalText(fields, ['base_product']);
  if (mapped.length === 0 && baseProduct !== null) {
    mapped.push({
      item: toItemKey('product', baseProduct, 'base_product'),
      name: displayText(optionalText(fields, ['base_product_name'])),
    });
  }
  return mapped;
}

function purchasedItem(fields: Fields, entry: MappedItem, charges: Charge[]): PurchasedItem {
  const { item } = entry;
  const lines = charges.filter((charge) => charge.item === item);
  const charged = lines.filter((charge) => !charge.recurring);
  const scheduled = lines.filter((charge) => charge.recurring);
  // An item with no charge line (e.g. a free trial) cost nothing now; a recurring line is the next period.
  const amountCents = charged.reduce(
    (sum, charge) => sum + (optionalCents(fields, [...charge.path, 'amount']) ?? 0),
    0,
  );
  const nextChargeTimes = scheduled
    .map(
      (charge) =>
        optionalUnixSeconds(fields, [...charge.path, 'defer_date']) ??
        optionalUtcDateTime(fields, [...charge.path, 'due']),
    )
    .filter((millis) => millis !== null);
  const first = (charged[0] ?? scheduled[0])?.path;
  const name = displayText(first ? optionalText(fields, [...first, 'name']) : null) ?? entry.name ?? item;
  const quantity = charged[0] ? optionalCount(fields, [...charged[0].path, 'quantity']) : null;
  const recurring =
    scheduled.length > 0 ||
    charged.some((charge) => optionalText(fields, [...charge.path, 'related_to_recur']) === 'true');
  const frequency =
    lines.map((charge) => optionalText(fields, [...charge.path, 'frequency'])).find((text) => text !== null) ?? null;
  return {
    item,
    name,
    amountCents,
    pricingOptionId: first ? optionalText(fields, [...first, 'payment_plan_id']) : null,
    recurring,
    thrivecartSubscriptionId: optionalText(fields, ['subscription_ids', item]),
    nextChargeAt: nextChargeTimes.length > 0 ? Math.min(...nextChargeTimes) : null,
    quantity,
    frequency: recurring ? frequency : null,
  };
}

function orderId(fields: Fields): string {
  // The original order's id is the same on every later event, so order[id] is a safe fallback.
  const id = firstText(fields, [['order_id'], ['order', 'id']]);
  if (id === null) throw new NormaliseError('missing order_id');
  return id;
}

type Base = { occurredAt: number; live: boolean; customer: CustomerRef };

function baseOf(fields: Fields, event: string, timeFallback: number | null = null): Base {
  const mode = optionalText(fields, ['mode']);
  const modeInt = optionalText(fields, ['mode_int']);
  return {
    occurredAt: eventTime(fields, event === 'order.success', timeFallback),
    live: mode !== 'test' && modeInt !== '1',
    customer: customerOf(fields),
  };
}

function normalisePurchase(fields: Fields, base: Base): CommerceEvent {
  const mapped = purchasedItems(fields);
  if (mapped.length === 0)
    throw new NormaliseError(
      'order.success lists no items (purchase_map, purchase_map_flat, order[charges], base_product)',
    );
  const charges = [...chargesAt(fields, 'charges', mapped), ...chargesAt(fields, 'future_charges', mapped)];
  const currency = firstText(fields, [['currency'], ['order', 'currency']])?.toUpperCase() ?? null;
  if (currency === null || !/^[A-Z]{3}$/.test(currency)) throw new NormaliseError('missing or invalid currency');
  const accessible = itemMap(fields, 'accessible_');
  return {
    kind: 'purchase',
    ...base,
    orderId: orderId(fields),
    invoiceId: firstText(fields, [['invoice_id'], ['order', 'invoice_id']]),
    currency,
    items: mapped.map((entry) => purchasedItem(fields, entry, charges)),
    ...(accessible.length > 0 ? { accessibleItems: accessible } : {}),
  };
}

/**
 * What a later event says about its item besides the key: its name (`subscription[name]` or
 * `refund[name]`; `base_product_name` when the item is the front-end product) and ThriveCart's
 * subscription id, so a line first seen through a renewal is named, not `product-17`.
 */
function itemDetails(
  fields: Fields,
  block: 'subscription' | 'refund',
  item: ItemKey,
): { itemName: string | null; thrivecartSubscriptionId: string | null } {
  const baseProduct = optionalText(fields, ['base_product']);
  const baseName =
    baseProduct !== null && item === `product-${baseProduct}` ? optionalText(fields, ['base_product_name']) : null;
  return {
    itemName: displayText(optionalText(fields, [block, 'name'])) ?? displayText(baseName),
    thrivecartSubscriptionId: optionalText(fields, ['subscription_id']),
  };
}

function refundItem(fields: Fields): {
  item: ItemKey;
  itemName: string | null;
  thrivecartSubscriptionId: string | null;
} {
  const item = blockItem(fields, 'refund');
  return { item, ...itemDetails(fields, 'refund', item) };
}

function subscriptionItem(fields: Fields): {
  item: ItemKey;
  itemName: string | null;
  thrivecartSubscriptionId: string | null;
} {
  const item = blockItem(fields, 'subscription');
  return { item, ...itemDetails(fields, 'subscription', item) };
}

/** Events that make no change to anyone's access, with the reason they are kept but not applied. */
function ignoredReason(event: string): string | null {
  if (event === 'cart.abandoned') return 'abandoned cart';
  if (event.startsWith('affiliate.')) return 'affiliate event';
  return null;
}

export interface NormaliseOptions {
  /**
   * When the delivery arrived (epoch ms). Used as the event time of a `customer_updated` that
   * carries no `date_unix` (its payload is not publicly captured), so an email change is not lost.
   */
  receivedAt?: number;
}

export function normaliseThriveCart(fields: Fields, options: NormaliseOptions = {}): CommerceEvent | IgnoredDelivery {
  const event = requiredText(fields, ['event']);
  const ignored = ignoredReason(event);
  if (ignored !== null) return { kind: 'ignored', reason: ignored };

  switch (event) {
    case 'order.success':
      return normalisePurchase(fields, baseOf(fields, event));
    case 'order.subscription_payment':
      return {
        kind: 'renewal',
        ...baseOf(fields, event),
        orderId: orderId(fields),
        ...subscriptionItem(fields),
        // Top-level invoice_id is the rebill's own (`000000141-6`); order[invoice_id] is the original.
        invoiceId: optionalText(fields, ['invoice_id']),
        amountCents: requiredCents(fields, ['subscription', 'amount']),
        paymentIndex:
          optionalCount(fields, ['recurring_payment_idx']) ??
          optionalCount(fields, ['subscription', 'recurring_payment_idx']),
        nextPaymentAt: optionalUnixSeconds(fields, ['subscription', 'next_payment_date']),
        remainingRebills: optionalCount(fields, ['subscription', 'remaining_rebills']),
        frequency: optionalText(fields, ['subscription', 'frequency']),
      };
    case 'order.rebill_failed':
      return {
        kind: 'payment_failed',
        ...baseOf(fields, event),
        orderId: orderId(fields),
        ...subscriptionItem(fields),
        invoiceId: optionalText(fields, ['invoice_id']),
        amountCents: optionalCents(fields, ['subscription', 'amount']),
      };
    case 'order.subscription_cancelled':
      return {
        kind: 'cancellation',
        ...baseOf(fields, event),
        orderId: orderId(fields),
        ...subscriptionItem(fields),
        paidThrough: optionalUnixSeconds(fields, ['subscription', 'billing_period_end']),
      };
    case 'order.subscription_paused':
    case 'order.subscription_resumed':
      return {
        kind: event === 'order.subscription_paused' ? 'paused' : 'resumed',
        ...baseOf(fields, event),
        orderId: orderId(fields),
        ...subscriptionItem(fields),
      };
    case 'order.refund':
      return {
        kind: 'refund',
        ...baseOf(fields, event),
        orderId: orderId(fields),
        ...refundItem(fields),
        amountCents: requiredCents(fields, ['refund', 'amount']),
      };
    case 'customer_updated':
      return { kind: 'customer_updated', ...baseOf(fields, event, options.receivedAt ?? null) };
    default:
      return { kind: 'ignored', reason: `unknown event ${JSON.stringify(event.slice(0, 60))}` };
  }
}
