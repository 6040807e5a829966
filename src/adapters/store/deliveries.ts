import type { CommerceEvent } from '../../core/events.ts';
import type { HistoryEntry } from '../../core/ledger/fold.ts';
import type { Queryable } from './database.ts';
import { fullName } from './contacts.ts';
import { SqlParams } from './sql-params.ts';
import { SIMULATED_FIELD, SIMULATED_LIVE } from '../sources/thrivecart/simulated.ts';

export type DeliveryStatus = 'applied' | 'ignored' | 'failed' | 'rejected';

export interface NewDelivery {
  source: string;
  dedupKey: string;
  receivedAt: number;
  eventName: string;
  occurredAt: number | null;
  live: boolean;
  /** The parsed body without the secret word. */
  body: unknown;
  event: CommerceEvent | null;
  status: DeliveryStatus;
  reason: string | null;
}

/**
 * SQL that inserts a delivery unless its dedup key is known, returning the new id and contact (no
 * row for a duplicate); its values are added to `params`. The options are SQL, for statements
 * that compute them: `id` (default: the next in the sequence), `contactId` (default: none), and
 * `from`, the rows the insert is made for (by default one; none writes nothing).
 */
export function insertDeliverySql(
  params: SqlParams,
  delivery: NewDelivery,
  options: { id?: string; contactId?: string; from?: string } = {},
): string {
  const id = options.id === undefined ? { column: '', value: '' } : { column: 'id, ', value: `${options.id}, ` };
  const values = [
    params.add(delivery.source),
    params.add(delivery.dedupKey),
    `to_timestamp(${params.add(delivery.receivedAt)} / 1000.0)`,
    params.add(delivery.eventName),
    `to_timestamp(${params.add(delivery.occurredAt)} / 1000.0)`,
    params.add(delivery.live),
    params.add(JSON.stringify(delivery.body)),
    params.add(delivery.event === null ? null : JSON.stringify(delivery.event)),
    params.add(delivery.status),
    params.add(delivery.reason),
  ].join(', ');
  return `insert into deliveries (${id.column}source, dedup_key, received_at, event_name, occurred_at, live, body, event, status, reason, contact_id)
  select ${id.value}${values}, ${options.contactId ?? 'null'}${options.from === undefined ? '' : ` from ${options.from}`}
  on conflict (dedup_key) do nothing returning id, contact_id`;
}

/** Inserts the delivery unless its dedup key is known; returns the new id, or null for a duplicate. */
export async function insertDelivery(db: Queryable, delivery: NewDelivery): Promise<number | null> {
  const params = new SqlParams();
  const result = await db.query<{ id: number }>({
    name: 'insert-delivery',
    text: insertDeliverySql(params, delivery),
    values: params.values,
  });
  return result.rows[0]?.id ?? null;
}

export interface DeliveryOutcome {
  id: number;
  status: DeliveryStatus;
  reason: string | null;
}

export async function findDeliveryByDedupKey(db: Queryable, dedupKey: string): Promise<DeliveryOutcome | null> {
  const result = await db.query<DeliveryOutcome>(`select id, status, reason from deliveries where dedup_key = $1`, [
    dedupKey,
  ]);
  return result.rows[0] ?? null;
}

export async function setDeliveryOutcome(
  db: Queryable,
  id: number,
  outcome: { status: DeliveryStatus; reason: string | null; contactId: number | null; event?: CommerceEvent | null },
): Promise<void> {
  if (outcome.event === undefined) {
    await db.query(`update deliveries set status = $2, reason = $3, contact_id = $4 where id = $1`, [
      id,
      outcome.status,
      outcome.reason,
      outcome.contactId,
    ]);
  } else {
    await db.query(`update deliveries set status = $2, reason = $3, contact_id = $4, event = $5 where id = $1`, [
      id,
      outcome.status,
      outcome.reason,
      outcome.contactId,
      outcome.event === null ? null : JSON.stringify(outcome.event),
    ]);
  }
}

/**
 * Where a delivery in a contact's history came from, as far as reaching real systems goes: a
 * simulation made without --live, a change by hand in the console, or anything else (ThriveCart,
 * an import, `simulate --live`). app/intake/simulated-delivery.ts decides what counts.
 */
export type HistoryOrigin = 'real' | 'simulated' | 'by-hand';

export interface StoredHistoryEntry extends HistoryEntry {
  origin: HistoryOrigin;
}

/**
 * SQL for a delivery row's HistoryOrigin, given the placeholders of SIMULATED_FIELD and
 * SIMULATED_LIVE. Changes by hand are stored with source `console` (app/ledger/change-access-by-hand.ts).
 */
function originSql(field: string, live: string): string {
  return `case when source = 'console' then 'by-hand'
    when source = 'thrivecart' and body ->> ${field}::text is not null and body ->> ${field}::text <> ${live}::text then 'simulated'
    else 'real' end`;
}

/** The contact's applied deliveries, each with its origin: the history the ledger is folded from. */
export async function loadHistory(db: Queryable, contactId: number): Promise<StoredHistoryEntry[]> {
  const result = await db.query<{ id: number; event: CommerceEvent; origin: HistoryOrigin }>(
    `select id, event, ${originSql('$2', '$3')} as origin from deliveries
      where contact_id = $1 and status = 'applied' order by occurred_at, id`,
    [contactId, SIMULATED_FIELD, SIMULATED_LIVE],
  );
  return result.rows.map((row) => ({ deliveryId: row.id, event: row.event, origin: row.origin }));
}

export interface DeliveryRecord {
  id: number;
  source: string;
  receivedAt: number;
  eventName: string;
  occurredAt: number | null;
  live: boolean;
  status: DeliveryStatus;
  reason: string | null;
  contactId: number | null;
  body: unknown;
  event: CommerceEvent | null;
}

const DELIVERY_COLUMNS = `id, source, (extract(epoch from received_at) * 1000)::float8 as "receivedAt", event_name as "eventName",
  (extract(epoch from occurred_at) * 1000)::float8 as "occurredAt", live, status, reason, contact_id as "contactId", body, event`;

export async function getDelivery(db: Queryable, id: number): Promise<DeliveryRecord | null> {
  const result = await db.query<DeliveryRecord>(`select ${DELIVERY_COLUMNS} from deliveries where id = $1`, [id]);
  return result.rows[0] ?? null;
}

/** Newest first; `status` narrows to one outcome. */
export async function listDeliveries(
  db: Queryable,
  options: { status?: DeliveryStatus; limit: number; beforeId?: number },
): Promise<DeliveryRecord[]> {
  const result = await db.query<DeliveryRecord>(
    `select ${DELIVERY_COLUMNS} from deliveries
      where ($1::text is null or status = $1) and ($2::bigint is null or id < $2)
      order by id desc limit $3`,
    [options.status ?? null, options.beforeId ?? null, options.limit],
  );
  return result.rows;
}

/** Locks the delivery's row until the transaction ends: one replay of a delivery at a time. */
export async function lockDelivery(db: Queryable, id: number): Promise<void> {
  await db.query(`select id from deliveries where id = $1 for update`, [id]);
}

/** Stores the event a delivery normalises to now (replay), with its event time. */
export async function saveDeliveryEvent(db: Queryable, id: number, event: CommerceEvent): Promise<void> {
  await db.query(`update deliveries set event = $2, occurred_at = to_timestamp($3 / 1000.0) where id = $1`, [
    id,
    JSON.stringify(event),
    event.occurredAt,
  ]);
}

/**
 * Nothing else may store or apply deliveries, nor change contacts, until the transaction ends:
 * the ledger is being rebuilt from them (handoff replay).
 */
export async function lockDeliveriesAndContacts(db: Queryable): Promise<void> {
  await db.query(`lock table deliveries, contacts in share row exclusive mode`);
}

/** A stored delivery as replay reads it to classify it again. */
export interface StoredDeliveryForReplay {
  id: number;
  source: string;
  status: DeliveryStatus;
  reason: string | null;
  body: unknown;
  event: CommerceEvent | null;
  contactId: number | null;
  receivedAt: number;
}

/** Up to `limit` deliveries after `afterId`, in id order. */
export async function deliveriesAfter(
  db: Queryable,
  afterId: number,
  limit: number,
): Promise<StoredDeliveryForReplay[]> {
  const result = await db.query<StoredDeliveryForReplay>(
    `select id, source, status, reason, body, event, contact_id as "contactId", (extract(epoch from received_at) * 1000)::float8 as "receivedAt"
       from deliveries where id > $1 order by id limit $2`,
    [afterId, limit],
  );
  return result.rows;
}

/** Up to `limit` applied deliveries after `after`, in (contact, id) order: every contact's history, streamed. */
export async function appliedDeliveriesAfter(
  db: Queryable,
  after: { contactId: number; id: number },
  limit: number,
): Promise<(StoredHistoryEntry & { contactId: number })[]> {
  const result = await db.query<{ id: number; contactId: number; event: CommerceEvent; origin: HistoryOrigin }>(
    `select id, contact_id as "contactId", event, ${originSql('$4', '$5')} as origin
       from deliveries
      where status = 'applied' and contact_id is not null and (contact_id, id) > ($1, $2)
      order by contact_id, id limit $3`,
    [after.contactId, after.id, limit, SIMULATED_FIELD, SIMULATED_LIVE],
  );
  return result.rows.map((row) => ({
    deliveryId: row.id,
    contactId: row.contactId,
    event: row.event,
    origin: row.origin,
  }));
}

/** A line of the console's deliveries list: the delivery with who it was about, read in the same statement. */
export interface DeliveryListRow {
  id: number;
  receivedAt: number;
  eventName: string;
  live: boolean;
  status: DeliveryStatus;
  reason: string | null;
  event: CommerceEvent | null;
  /** The contact's e-mail, else the one the delivery names (a rejected delivery has no contact). */
  email: string | null;
  name: string | null;
}

/**
 * Newest first, without the deliveries of `exceptSource` (hand changes, listed with the contact),
 * each joined to its contact: one statement for the page, whatever its length.
 */
export async function listDeliveryRows(
  db: Queryable,
  options: { status?: DeliveryStatus; limit: number; beforeId?: number; exceptSource: string },
): Promise<DeliveryListRow[]> {
  const result = await db.query<DeliveryListRow & { firstName: string | null; lastName: string | null }>(
    `select d.id, (extract(epoch from d.received_at) * 1000)::float8 as "receivedAt", d.event_name as "eventName",
            d.live, d.status, d.reason, d.event,
            coalesce(c.email, d.event->'customer'->>'email', d.body->'customer'->>'email') as email,
            c.first_name as "firstName", c.last_name as "lastName"
       from deliveries d left join contacts c on c.id = d.contact_id
      where ($1::text is null or d.status = $1) and ($2::bigint is null or d.id < $2) and d.source <> $4
      order by d.id desc limit $3`,
    [options.status ?? null, options.beforeId ?? null, options.limit, options.exceptSource],
  );
  return result.rows.map(({ firstName, lastName, ...row }) => ({ ...row, name: fullName(firstName, lastName) }));
}
