/**
 * The CSV import, for creators without API access or coming from another cart. Columns (header
 * row, any order, documented in docs/thrivecart-api.md): email, name, item, order_id, status,
 * paid_through.
 *
 * status: `paid` (one-off, access for good), `active` (subscription; paid_through is required:
 * access is never granted without an end from a missing date), `cancelled` (access until
 * paid_through, or ends now without one), `refunded`, `paused`, `completed` (payment plan paid
 * in full). paid_through is a date, `YYYY-MM-DD` (end of that day, UTC) or ISO time.
 */
import { ITEM_TYPES, type CommerceEvent, type CustomerRef, type ItemKey } from '../../../core/events.ts';
import type { ImportedEvent, ImportedHistory, ImportedPerson } from './api-history.ts';

export const CSV_COLUMNS = ['email', 'name', 'item', 'order_id', 'status', 'paid_through'] as const;
const STATUSES = ['paid', 'active', 'cancelled', 'refunded', 'paused', 'completed'] as const;
type CsvStatus = (typeof STATUSES)[number];

export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

/** RFC 4180: commas, double quotes around fields, "" for a quote, CRLF or LF line ends. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at]!;
    if (quoted) {
      if (char === '"' && text[at + 1] === '"') {
        field += '"';
        at += 1;
      } else if (char === '"') quoted = false;
      else field += char;
    } else if (char === '"' && field === '') quoted = true;
    else if (char === ',') {
      row.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[at + 1] === '\n') at += 1;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += char;
  }
  if (quoted) throw new CsvError('a quoted field is not closed');
  if (field !== '' || row.length > 0) rows.push([...row, field]);
  return rows.filter((cells) => cells.some((cell) => cell.trim() !== ''));
}

function paidThroughOf(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const millis = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? Date.parse(`${trimmed}T23:59:59Z`) : Date.parse(trimmed);
  if (Number.isNaN(millis)) throw new CsvError(`paid_through "${trimmed.slice(0, 30)}" is not a date (YYYY-MM-DD)`);
  return millis;
}

/** Every row as imported history; a row that cannot be used is listed with its line number and why. */
export function csvHistory(text: string, now: number): ImportedHistory {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) throw new CsvError(`the file is empty; expected a header row: ${CSV_COLUMNS.join(',')}`);
  const columns = header.map((name) => name.trim().toLowerCase());
  const missing = CSV_COLUMNS.filter(
    (name) => name !== 'order_id' && name !== 'paid_through' && name !== 'name' && !columns.includes(name),
  );
  if (missing.length > 0)
    throw new CsvError(`missing column(s) ${missing.join(', ')}; expected a header row: ${CSV_COLUMNS.join(',')}`);
  const people = new Map<string, ImportedPerson>();
  const notImported: ImportedHistory['notImported'] = [];
  rows.forEach((cells, index) => {
    const cell = (name: (typeof CSV_COLUMNS)[number]) =>
      columns.includes(name) ? (cells[columns.indexOf(name)] ?? '').trim() : '';
    const email = cell('email').toLowerCase();
    const item = cell('item');
    const orderId = cell('order_id') || `csv-${email}-${item}`;
    try {
      if (!/^[^\s@]+@[^\s@]+$/.test(email)) throw new CsvError(`"${email.slice(0, 60)}" is not an e-mail address`);
      if (!new RegExp(`^(${ITEM_TYPES.join('|')})-[0-9]+$`).test(item))
        throw new CsvError(`item "${item.slice(0, 30)}" is not an item key such as product-12`);
      const status = cell('status').toLowerCase();
      if (!(STATUSES as readonly string[]).includes(status))
        throw new CsvError(`status "${status.slice(0, 20)}" is not one of ${STATUSES.join(', ')}`);
      const [first, ...rest] = cell('name').split(/\s+/);
      const customer: CustomerRef = {
        thrivecartId: null,
        email,
        firstName: first || null,
        lastName: rest.join(' ') || null,
      };
      const events = rowEvents(
        customer,
        item as ItemKey,
        orderId,
        status as CsvStatus,
        paidThroughOf(cell('paid_through')),
        now,
        index + 2,
      );
      const person = people.get(email) ?? { customer, events: [] };
      person.events.push(...events);
      people.set(email, person);
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      notImported.push({ email, orderId, item, reason: `line ${index + 2}: ${error.message}` });
    }
  });
  return { people: [...people.values()], notImported };
}

function rowEvents(
  customer: CustomerRef,
  item: ItemKey,
  orderId: string,
  status: CsvStatus,
  paidThrough: number | null,
  now: number,
  line: number,
): ImportedEvent[] {
  if (status === 'active' && paidThrough === null)
    throw new CsvError(
      'an active subscription needs its paid_through date (Handoff never grants access without an end from a missing date)',
    );
  const base = { occurredAt: now, live: true, customer, orderId };
  const body = { line, item, orderId, status, paidThrough };
  const recurring = status !== 'paid' && status !== 'refunded';
  const key = (kind: string) => `tc-csv:${kind}:${orderId}:${item}`;
  const purchase: CommerceEvent = {
    kind: 'purchase',
    ...base,
    invoiceId: null,
    currency: 'USD',
    items: [
      {
        item,
        name: item,
        amountCents: 0,
        pricingOptionId: null,
        recurring,
        thrivecartSubscriptionId: null,
        nextChargeAt: status === 'active' ? paidThrough : null,
      },
    ],
  };
  const events: ImportedEvent[] = [{ dedupKey: key('purchase'), event: purchase, body }];
  const later = (kind: string, event: CommerceEvent) => events.push({ dedupKey: key(kind), event, body });
  if (status === 'cancelled') later('cancellation', { kind: 'cancellation', ...base, item, paidThrough });
  if (status === 'refunded') later('refund', { kind: 'refund', ...base, item, amountCents: 0 });
  if (status === 'paused') later('paused', { kind: 'paused', ...base, item });
  if (status === 'completed')
    later('completed', {
      kind: 'renewal',
      ...base,
      item,
      invoiceId: null,
      amountCents: 0,
      paymentIndex: null,
      nextPaymentAt: null,
      remainingRebills: 0,
    });
  return events;
}
