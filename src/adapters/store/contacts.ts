import type { LedgerProjection } from '../../core/ledger/fold.ts';
import { emptyLedgerState } from '../../core/ledger/state.ts';
import { nextIdSql, type Queryable } from './database.ts';
import { normaliseEmail } from '../../core/email-address.ts';

export interface ContactRow {
  id: number;
  email: string;
  thrivecartCustomerId: string | null;
  firstName: string | null;
  lastName: string | null;
  /** Event time of the details we hold; older events never overwrite newer details. */
  detailsAsOf: number | null;
  /** Null until the first fold. */
  ledger: LedgerProjection | null;
  createdAt: number;
  updatedAt: number;
}

/** SQL for a fresh contact id, for statements that must know it before the contact row exists. */
export const NEXT_CONTACT_ID = nextIdSql('contacts');

export const CONTACT_COLUMNS = `id, email, thrivecart_customer_id, first_name, last_name,
  (extract(epoch from details_as_of) * 1000)::float8 as details_as_of,
  case when ledger = '{}'::jsonb then null else ledger end as ledger,
  (extract(epoch from created_at) * 1000)::float8 as created_at, (extract(epoch from updated_at) * 1000)::float8 as updated_at`;

export interface RawContact {
  id: number;
  email: string;
  thrivecart_customer_id: string | null;
  first_name: string | null;
  last_name: string | null;
  details_as_of: number | null;
  ledger: LedgerProjection | null;
  created_at: number;
  updated_at: number;
}

export function toContact(row: RawContact): ContactRow {
  return {
    id: row.id,
    email: row.email,
    thrivecartCustomerId: row.thrivecart_customer_id,
    firstName: row.first_name,
    lastName: row.last_name,
    detailsAsOf: row.details_as_of,
    ledger: row.ledger,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export async function findContactByEmail(db: Queryable, email: string): Promise<ContactRow | null> {
  const result = await db.query<RawContact>(`select ${CONTACT_COLUMNS} from contacts where email = $1`, [
    normaliseEmail(email),
  ]);
  return result.rows[0] ? toContact(result.rows[0]) : null;
}

export async function findContactById(db: Queryable, id: number): Promise<ContactRow | null> {
  const result = await db.query<RawContact>(`select ${CONTACT_COLUMNS} from contacts where id = $1`, [id]);
  return result.rows[0] ? toContact(result.rows[0]) : null;
}

/** A contact's stored access answers and until when they hold by themselves (the projection's next change). */
export interface StoredAccess {
  access: LedgerProjection['access'];
  nextChangeAt: number | null;
}

/**
 * The stored access of each email (null when unknown), in the order asked, in one query and
 * without parsing the rest of the projection: the membership site asks this on every page view.
 * Emails are expected normalised (trimmed, lower case).
 */
export async function findStoredAccessByEmails(
  db: Queryable,
  emails: readonly string[],
): Promise<(StoredAccess | null)[]> {
  const result = await db.query<{
    email: string;
    access: LedgerProjection['access'] | null;
    next_change_at: number | null;
  }>({
    name: 'find-stored-access',
    text: `select email, ledger->'access' as access, (ledger->>'nextChangeAt')::float8 as next_change_at from contacts where email = any($1::text[])`,
    values: [emails],
  });
  const byEmail = new Map(
    result.rows.map((row) => [row.email, { access: row.access ?? [], nextChangeAt: row.next_change_at }]),
  );
  return emails.map((email) => byEmail.get(email) ?? null);
}

/**
 * Just what re-deriving access needs (the ledger's facts and tag names), without parsing the rest
 * of the projection.
 */
export async function findAccessFacts(
  db: Queryable,
  email: string,
): Promise<{ state: LedgerProjection['state']; tagNames: string[] } | null> {
  const result = await db.query<{ state: LedgerProjection['state'] | null; tag_names: string[] | null }>({
    name: 'find-access-facts',
    text: `select ledger->'state' as state, array(select jsonb_object_keys(ledger->'tags')) as tag_names from contacts where email = $1`,
    values: [normaliseEmail(email)],
  });
  const row = result.rows[0];
  if (!row) return null;
  return { state: row.state ?? emptyLedgerState(), tagNames: row.tag_names ?? [] };
}

/** Who a bulk tag call carries: a contact's details and the names of the tags its ledger wants. */
export interface TaggedPerson {
  id: number;
  email: string;
  firstName: string | null;
  lastName: string | null;
  tagNames: string[];
}

/**
 * The contacts with these ids that still exist, in id order, with their tag names only: the
 * ledgers stay in the database (parsing 250 of them a batch would hold up the event loop).
 */
export async function findTaggedPeople(db: Queryable, ids: readonly number[]): Promise<TaggedPerson[]> {
  const result = await db.query<{
    id: number;
    email: string;
    first_name: string | null;
    last_name: string | null;
    tag_names: string[];
  }>(
    `select id, email, first_name, last_name, array(select jsonb_object_keys(coalesce(ledger->'tags', '{}'::jsonb))) as tag_names
       from contacts where id = any($1::bigint[]) order by id`,
    [ids],
  );
  return result.rows.map((row) => ({
    id: Number(row.id),
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
    tagNames: row.tag_names,
  }));
}

/**
 * Reads the contact and locks its row until the transaction ends: one fold of a contact at a time.
 * `attachDeliveryId`, when given, is a delivery that now belongs to this contact (applied),
 * attached in the same round trip.
 */
export async function lockContact(
  db: Queryable,
  id: number,
  attachDeliveryId: number | null = null,
): Promise<ContactRow | null> {
  const result =
    attachDeliveryId === null
      ? await db.query<RawContact>(`select ${CONTACT_COLUMNS} from contacts where id = $1 for update`, [id])
      : await db.query<RawContact>({
          name: 'attach-delivery-lock-contact',
          text: `with attached as (update deliveries set status = 'applied', reason = null, contact_id = $1 where id = $2)
                 select ${CONTACT_COLUMNS} from contacts where id = $1 for update`,
          values: [id, attachDeliveryId],
        });
  return result.rows[0] ? toContact(result.rows[0]) : null;
}

export interface NewContact {
  email: string;
  thrivecartCustomerId: string | null;
  firstName: string | null;
  lastName: string | null;
  detailsAsOf: number;
  now: number;
}

export async function insertContact(db: Queryable, contact: NewContact): Promise<number> {
  const result = await db.query<{ id: number }>({
    name: 'insert-contact',
    text: `insert into contacts (email, thrivecart_customer_id, first_name, last_name, details_as_of, created_at, updated_at)
           values ($1, $2, $3, $4, to_timestamp($5 / 1000.0), to_timestamp($6 / 1000.0), to_timestamp($6 / 1000.0)) returning id`,
    values: [
      contact.email,
      contact.thrivecartCustomerId,
      contact.firstName,
      contact.lastName,
      contact.detailsAsOf,
      contact.now,
    ],
  });
  return result.rows[0]!.id;
}

export interface ContactDetails {
  email: string;
  thrivecartCustomerId: string | null;
  firstName: string | null;
  lastName: string | null;
  detailsAsOf: number | null;
}

export async function updateContactDetails(
  db: Queryable,
  id: number,
  details: ContactDetails,
  now: number,
): Promise<void> {
  await db.query(
    `update contacts set email = $2, thrivecart_customer_id = $3, first_name = $4, last_name = $5,
       details_as_of = to_timestamp($6 / 1000.0), updated_at = to_timestamp($7 / 1000.0) where id = $1`,
    [id, details.email, details.thrivecartCustomerId, details.firstName, details.lastName, details.detailsAsOf, now],
  );
}

export async function saveLedger(db: Queryable, id: number, ledger: LedgerProjection, now: number): Promise<void> {
  await db.query(`update contacts set ledger = $2, updated_at = to_timestamp($3 / 1000.0) where id = $1`, [
    id,
    JSON.stringify(ledger),
    now,
  ]);
}

/** Stores many contacts' ledgers in one statement (replay). */
export async function saveLedgers(
  db: Queryable,
  ledgers: readonly { id: number; projection: LedgerProjection }[],
  now: number,
): Promise<void> {
  await db.query(
    `update contacts set ledger = source.ledger, updated_at = to_timestamp($3 / 1000.0)
       from (select unnest($1::bigint[]) as id, unnest($2::jsonb[]) as ledger) as source where contacts.id = source.id`,
    [ledgers.map((entry) => entry.id), ledgers.map((entry) => JSON.stringify(entry.projection)), now],
  );
}

/** Every contact's email and stored ledger (null before the first fold). */
export async function listContactLedgers(
  db: Queryable,
): Promise<{ id: number; email: string; ledger: LedgerProjection | null }[]> {
  const result = await db.query<{ id: number; email: string; ledger: LedgerProjection | null }>(
    `select id, email, case when ledger = '{}'::jsonb then null else ledger end as ledger from contacts`,
  );
  return result.rows;
}

/** Moves everything recorded for `fromId` to `intoId` and deletes `fromId` (one person, two rows). */
export async function mergeContactInto(db: Queryable, fromId: number, intoId: number): Promise<void> {
  await db.query(`update deliveries set contact_id = $2 where contact_id = $1`, [fromId, intoId]);
  await db.query(`delete from contacts where id = $1`, [fromId]);
}

export interface ContactSummary {
  id: number;
  email: string;
  name: string | null;
  updatedAt: number;
}

/** Contacts whose email or name contains `query` (case-insensitive), most recently changed first. */
export async function searchContacts(
  db: Queryable,
  query: string,
  limit: number,
  offset: number,
): Promise<ContactSummary[]> {
  const wanted = query.trim().toLowerCase();
  const pattern = `%${wanted.replace(/[%_\\]/g, (match) => `\\${match}`)}%`;
  // Without a query the list is the recency index read in order; a filter that matches
  // everything would make the planner sort the whole table instead.
  const filter =
    wanted === ''
      ? ''
      : `where email like $3 or lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) like $3`;
  const result = await db.query<{
    id: number;
    email: string;
    first_name: string | null;
    last_name: string | null;
    updated_at: number;
  }>(
    `select id, email, first_name, last_name, (extract(epoch from updated_at) * 1000)::float8 as updated_at from contacts
      ${filter} order by contacts.updated_at desc, contacts.id desc limit $1 offset $2`,
    wanted === '' ? [limit, offset] : [limit, offset, pattern],
  );
  return result.rows.map((row) => ({
    id: row.id,
    email: row.email,
    name: fullName(row.first_name, row.last_name),
    updatedAt: row.updated_at,
  }));
}

export function fullName(firstName: string | null, lastName: string | null): string | null {
  const name = [firstName, lastName].filter((part) => part).join(' ');
  return name === '' ? null : name;
}
