import type { LedgerProjection } from '../../core/ledger/fold.ts';
import { emptyLedgerState } from '../../core/ledger/state.ts';
import type { Queryable } from './database.ts';

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

const COLUMNS = `id, email, thrivecart_customer_id, first_name, last_name,
  (extract(epoch from details_as_of) * 1000)::float8 as details_as_of,
  case when ledger = '{}'::jsonb then null else ledger end as ledger,
  (extract(epoch from created_at) * 1000)::float8 as created_at, (extract(epoch from updated_at) * 1000)::float8 as updated_at`;

interface RawContact {
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

function toContact(row: RawContact): ContactRow {
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

/**
 * Serialises every change to one person (by customer id and by email) until the transaction ends,
 * so two deliveries for a new customer cannot create two contacts. Keys are locked in sorted order
 * to rule out deadlocks.
 */
export async function lockIdentities(db: Queryable, keys: readonly string[]): Promise<void> {
  // One round trip; the subquery (kept apart by OFFSET 0) hands the keys over in sorted order.
  await db.query({
    name: 'lock-identities',
    text: 'select pg_advisory_xact_lock(hashtextextended(key, 0)) from (select key from unnest($1::text[]) as key order by key offset 0) as sorted',
    values: [[...new Set(keys)]],
  });
}

/** What is known of one person's identities: the rows matching them, and whether they were erased. */
export interface IdentityMatch {
  byCustomerId: ContactRow | null;
  byEmail: ContactRow | null;
  /** Erased (GDPR) under one of `erasureIdentities`; see adapters/store/erasure.ts for the hashing. */
  erased: boolean;
}

/**
 * Looks a person up by customer id and by email, and checks the erasure tombstones, in one
 * round trip (this is on the path of every delivery).
 */
export async function findIdentity(db: Queryable, customerId: string | null, email: string, erasureIdentities: readonly string[]): Promise<IdentityMatch> {
  const result = await db.query<RawContact & { found: boolean; erased: boolean }>({
    name: 'find-identity',
    text: `with erased as (
             select exists (
               select 1 from erased_identities tombstone, installation_settings salt, unnest($3::text[]) as identity
                where salt.key = 'erasure_salt' and tombstone.identity_hash = encode(sha256(convert_to(salt.value || ':' || identity, 'UTF8')), 'hex')
             ) as erased),
           matches as (select ${COLUMNS} from contacts where thrivecart_customer_id = $1 or email = $2)
           select matches.*, matches.id is not null as found, erased.erased from erased left join matches on true`,
    values: [customerId, email, erasureIdentities],
  });
  const rows = result.rows.filter((row) => row.found).map(toContact);
  return {
    byCustomerId: customerId === null ? null : (rows.find((row) => row.thrivecartCustomerId === customerId) ?? null),
    byEmail: rows.find((row) => row.email === email) ?? null,
    erased: result.rows[0]?.erased ?? false,
  };
}

export async function findContactByEmail(db: Queryable, email: string): Promise<ContactRow | null> {
  const result = await db.query<RawContact>(`select ${COLUMNS} from contacts where email = $1`, [email.trim().toLowerCase()]);
  return result.rows[0] ? toContact(result.rows[0]) : null;
}

export async function findContactById(db: Queryable, id: number): Promise<ContactRow | null> {
  const result = await db.query<RawContact>(`select ${COLUMNS} from contacts where id = $1`, [id]);
  return result.rows[0] ? toContact(result.rows[0]) : null;
}

/**
 * The stored access answers and until when they hold by themselves (the projection's next
 * change), without parsing the rest of the projection: the membership site asks this on every
 * page view. Null when the email is unknown.
 */
export async function findStoredAccess(db: Queryable, email: string): Promise<{ access: LedgerProjection['access']; nextChangeAt: number | null } | null> {
  const result = await db.query<{ access: LedgerProjection['access'] | null; next_change_at: number | null }>({
    name: 'find-stored-access',
    text: `select ledger->'access' as access, (ledger->>'nextChangeAt')::float8 as next_change_at from contacts where email = $1`,
    values: [email.trim().toLowerCase()],
  });
  const row = result.rows[0];
  return row ? { access: row.access ?? [], nextChangeAt: row.next_change_at } : null;
}

/**
 * Just what re-deriving access needs (the ledger's facts and tag names), without parsing the rest
 * of the projection.
 */
export async function findAccessFacts(db: Queryable, email: string): Promise<{ state: LedgerProjection['state']; tagNames: string[] } | null> {
  const result = await db.query<{ state: LedgerProjection['state'] | null; tag_names: string[] | null }>({
    name: 'find-access-facts',
    text: `select ledger->'state' as state, array(select jsonb_object_keys(ledger->'tags')) as tag_names from contacts where email = $1`,
    values: [email.trim().toLowerCase()],
  });
  const row = result.rows[0];
  if (!row) return null;
  return { state: row.state ?? emptyLedgerState(), tagNames: row.tag_names ?? [] };
}

/** Reads the contact and locks its row until the transaction ends: one fold of a contact at a time. */
export async function lockContact(db: Queryable, id: number): Promise<ContactRow | null> {
  const result = await db.query<RawContact>(`select ${COLUMNS} from contacts where id = $1 for update`, [id]);
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
    values: [contact.email, contact.thrivecartCustomerId, contact.firstName, contact.lastName, contact.detailsAsOf, contact.now],
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

export async function updateContactDetails(db: Queryable, id: number, details: ContactDetails, now: number): Promise<void> {
  await db.query(
    `update contacts set email = $2, thrivecart_customer_id = $3, first_name = $4, last_name = $5,
       details_as_of = to_timestamp($6 / 1000.0), updated_at = to_timestamp($7 / 1000.0) where id = $1`,
    [id, details.email, details.thrivecartCustomerId, details.firstName, details.lastName, details.detailsAsOf, now],
  );
}

export async function saveLedger(db: Queryable, id: number, ledger: LedgerProjection, now: number): Promise<void> {
  await db.query(`update contacts set ledger = $2, updated_at = to_timestamp($3 / 1000.0) where id = $1`, [id, JSON.stringify(ledger), now]);
}

/** Saves a contact's ledger and marks the delivery that changed it applied to them, in one round trip. */
export async function saveLedgerAndAttachDelivery(db: Queryable, id: number, ledger: LedgerProjection, deliveryId: number, now: number): Promise<void> {
  await db.query({
    name: 'save-ledger-attach-delivery',
    text: `with attached as (update deliveries set status = 'applied', reason = null, contact_id = $1 where id = $4)
           update contacts set ledger = $2, updated_at = to_timestamp($3 / 1000.0) where id = $1`,
    values: [id, JSON.stringify(ledger), now, deliveryId],
  });
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
export async function searchContacts(db: Queryable, query: string, limit: number, offset: number): Promise<ContactSummary[]> {
  const wanted = query.trim().toLowerCase();
  const pattern = `%${wanted.replace(/[%_\\]/g, (match) => `\\${match}`)}%`;
  // Without a query the list is the recency index read in order; a filter that matches
  // everything would make the planner sort the whole table instead.
  const filter = wanted === '' ? '' : `where email like $3 or lower(coalesce(first_name, '') || ' ' || coalesce(last_name, '')) like $3`;
  const result = await db.query<{ id: number; email: string; first_name: string | null; last_name: string | null; updated_at: number }>(
    `select id, email, first_name, last_name, (extract(epoch from updated_at) * 1000)::float8 as updated_at from contacts
      ${filter} order by contacts.updated_at desc, contacts.id desc limit $1 offset $2`,
    wanted === '' ? [limit, offset] : [limit, offset, pattern],
  );
  return result.rows.map((row) => ({ id: row.id, email: row.email, name: fullName(row.first_name, row.last_name), updatedAt: row.updated_at }));
}

export function fullName(firstName: string | null, lastName: string | null): string | null {
  const name = [firstName, lastName].filter((part) => part).join(' ');
  return name === '' ? null : name;
}
