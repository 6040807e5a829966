import { CONTACT_COLUMNS, NEXT_CONTACT_ID, toContact, type ContactRow, type RawContact } from './contacts.ts';
import type { Queryable } from './database.ts';
import { deliveryValues, insertDeliverySql, type NewDelivery } from './deliveries.ts';

/** Who a delivery names: its ThriveCart customer id (when it has one) and email. */
export interface IdentityLookup {
  customerId: string | null;
  email: string;
  /** Lock and erasure keys (see app/resolve-contact.ts identitiesOf). */
  keys: readonly string[];
}

/** What is known of one person's identities: the rows matching them, and whether they were erased. */
export interface IdentityMatch {
  byCustomerId: ContactRow | null;
  byEmail: ContactRow | null;
  /** Erased (GDPR) under one of the lookup's keys; see adapters/store/erasure.ts for the hashing. */
  erased: boolean;
}

type IdentityRow = { [Column in keyof RawContact]: RawContact[Column] | null } & { erased: boolean };

/** The function's rows read like any contact (null columns when nobody matched), with the erasure verdict. */
export function lockAndFindSql(keys: string, customerId: string, email: string): string {
  return `select ${CONTACT_COLUMNS}, erased from (select (found.contact).*, found.erased from lock_and_find_identity(${keys}, ${customerId}, ${email}) as found) as contacts`;
}

/**
 * Locks the person's identities until the transaction ends (so two deliveries for a new customer
 * cannot create two contacts), then looks them up by customer id and by email and checks the
 * erasure tombstones: one round trip, through the lock_and_find_identity function (migration 008).
 */
export async function lockAndFindIdentity(db: Queryable, lookup: IdentityLookup): Promise<IdentityMatch> {
  const result = await db.query<IdentityRow>({
    name: 'lock-and-find-identity',
    text: lockAndFindSql('$1', '$2', '$3'),
    values: [lookup.keys, lookup.customerId, lookup.email],
  });
  return toIdentityMatch(result.rows, lookup);
}

/**
 * The intake's first statement, in one round trip: locks and looks up the person the delivery
 * names, then stores the delivery (unless its dedup key is known) already attached to the contact
 * it will belong to: the one found by customer id, else by email, else (when `createIfMissing`
 * and the person was not erased) a contact id reserved for the person about to be created. This
 * is resolveContact's rule; attaching here spares rewriting the delivery row once applied.
 * Null for a duplicate.
 */
export async function insertDeliveryAndFindIdentity(
  db: Queryable,
  delivery: NewDelivery,
  lookup: IdentityLookup,
  createIfMissing: boolean,
): Promise<{ deliveryId: number; contactId: number | null; identity: IdentityMatch } | null> {
  const result = await db.query<IdentityRow & { delivery_id: number; delivery_contact_id: number | null }>({
    name: 'insert-delivery-find-identity',
    text: `with found as (${lockAndFindSql('$11', '$12', '$13')}),
           owner as (
             select coalesce(
               (select found.id from found where found.thrivecart_customer_id = $12),
               (select found.id from found where found.email = $13),
               case when $14::boolean and not (select bool_or(found.erased) from found) then ${NEXT_CONTACT_ID} end
             ) as contact_id),
           inserted as (${insertDeliverySql({ contactId: '(select contact_id from owner)' })})
           select inserted.id as delivery_id, inserted.contact_id as delivery_contact_id, found.* from inserted cross join found`,
    values: [...deliveryValues(delivery), lookup.keys, lookup.customerId, lookup.email, createIfMissing],
  });
  const first = result.rows[0];
  if (!first) return null;
  return { deliveryId: first.delivery_id, contactId: first.delivery_contact_id, identity: toIdentityMatch(result.rows, lookup) };
}

function toIdentityMatch(rows: readonly IdentityRow[], lookup: IdentityLookup): IdentityMatch {
  const found = rows.filter((row): row is IdentityRow & RawContact => row.id !== null).map(toContact);
  return {
    byCustomerId: lookup.customerId === null ? null : (found.find((row) => row.thrivecartCustomerId === lookup.customerId) ?? null),
    byEmail: found.find((row) => row.email === lookup.email) ?? null,
    erased: rows[0]?.erased ?? false,
  };
}
