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

/** Why a file or a row cannot be imported: where (line, column), and what is wrong. */
export class CsvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CsvError';
  }
}

/** A wrong value in one column of a row. */
class CellError extends CsvError {
  constructor(
    readonly column: (typeof CSV_COLUMNS)[number],
    message: string,
  ) {
    super(message);
  }
}

/** A record of the file and the line it starts on (a quoted field may span lines). */
interface CsvRecord {
  line: number;
  cells: string[];
}

/** RFC 4180: commas, double quotes around fields, "" for a quote, CRLF or LF line ends. */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let cells: string[] = [];
  let field = '';
  let line = 1;
  let recordLine = 1;
  let quotedSince: number | null = null;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at]!;
    // CRLF, LF and a lone CR each end one line.
    if (char === '\r' || (char === '\n' && text[at - 1] !== '\r')) line += 1;
    if (quotedSince !== null) {
      if (char === '"' && text[at + 1] === '"') {
        field += '"';
        at += 1;
      } else if (char === '"') quotedSince = null;
      else field += char;
    } else if (char === '"' && field === '') quotedSince = line;
    else if (char === ',') {
      cells.push(field);
      field = '';
    } else if (char === '\n' || char === '\r') {
      if (char === '\r' && text[at + 1] === '\n') at += 1;
      records.push({ line: recordLine, cells: [...cells, field] });
      cells = [];
      field = '';
      recordLine = line;
    } else field += char;
  }
  if (quotedSince !== null)
    throw new CsvError(`line ${quotedSince}: a field opens a double quote (") that is never closed`);
  if (field !== '' || cells.length > 0) records.push({ line: recordLine, cells: [...cells, field] });
  return records.filter((record) => record.cells.some((cell) => cell.trim() !== ''));
}

function paidThroughOf(text: string): number | null {
  const trimmed = text.trim();
  if (trimmed === '') return null;
  const millis = /^\d{4}-\d{2}-\d{2}$/.test(trimmed) ? Date.parse(`${trimmed}T23:59:59Z`) : Date.parse(trimmed);
  if (Number.isNaN(millis)) throw new CellError('paid_through', `"${trimmed.slice(0, 30)}" is not a date (YYYY-MM-DD)`);
  return millis;
}

/**
 * Every row as imported history; a row that cannot be used is listed with its line, column and
 * why. A file that cannot be read at all (no header, a missing column, a quote never closed)
 * throws a CsvError saying where.
 */
export function csvHistory(text: string, now: number): ImportedHistory {
  const [header, ...rows] = parseCsv(text.replace(/^\uFEFF/, ''));
  if (!header) throw new CsvError(`the file is empty; expected a header row: ${CSV_COLUMNS.join(',')}`);
  const columns = header.cells.map((name) => name.trim().toLowerCase());
  const missing = CSV_COLUMNS.filter(
    (name) => name !== 'order_id' && name !== 'paid_through' && name !== 'name' && !columns.includes(name),
  );
  if (missing.length > 0)
    throw new CsvError(
      `line ${header.line}: missing column(s) ${missing.join(', ')}; expected a header row: ${CSV_COLUMNS.join(',')}`,
    );
  const people = new Map<string, ImportedPerson>();
  const notImported: ImportedHistory['notImported'] = [];
  for (const { line, cells } of rows) {
    const cell = (name: (typeof CSV_COLUMNS)[number]) =>
      columns.includes(name) ? (cells[columns.indexOf(name)] ?? '').trim() : '';
    const email = cell('email').toLowerCase();
    const item = cell('item');
    const orderId = cell('order_id') || `csv-${email}-${item}`;
    try {
      if (cells.length > columns.length)
        throw new CsvError(
          `${cells.length} fields where the header has ${columns.length} (a comma inside a field needs double quotes around it)`,
        );
      if (!/^[^\s@]+@[^\s@]+$/.test(email))
        throw new CellError('email', `"${email.slice(0, 60)}" is not an e-mail address`);
      if (!new RegExp(`^(${ITEM_TYPES.join('|')})-[0-9]+$`).test(item))
        throw new CellError('item', `"${item.slice(0, 30)}" is not an item key such as product-12`);
      const status = cell('status').toLowerCase();
      if (!(STATUSES as readonly string[]).includes(status))
        throw new CellError('status', `"${status.slice(0, 20)}" is not one of ${STATUSES.join(', ')}`);
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
        line,
      );
      const person = people.get(email) ?? { customer, events: [] };
      person.events.push(...events);
      people.set(email, person);
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      const where = error instanceof CellError ? `line ${line}, column ${error.column}` : `line ${line}`;
      notImported.push({ email, orderId, item, reason: `${where}: ${error.message}` });
    }
  }
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
    throw new CellError(
      'paid_through',
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
