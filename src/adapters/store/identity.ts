import { CONTACT_COLUMNS, toContact, type ContactRow, type RawContact } from './contacts.ts';
import type { Queryable } from './database.ts';
import { insertDeliverySql, type NewDelivery } from './deliveries.ts';
import { SqlParams } from './sql-params.ts';

/** Who a delivery names: its ThriveCart customer id (when it has one) and email. */
export interface IdentityLookup {
  customerId: string | null;
  email: string;
  /** Lock and erasure keys (see app/intake/resolve-contact.ts identitiesOf). */
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

/**
 * SQL that locks and looks up the person (see lockAndFindIdentity); its rows read like any contact
 * (null columns when nobody matched), with the erasure verdict. Values are added to `params`.
 */
export function lockAndFindSql(params: SqlParams, lookup: IdentityLookup): string {
  const found = `lock_and_find_identity(${params.add(lookup.keys)}, ${params.add(lookup.customerId)}, ${params.add(lookup.email)})`;
  return `select ${CONTACT_COLUMNS}, erased from (select (found.contact).*, found.erased from ${found} as found) as contacts`;
}

/**
 * Locks the person's identities until the transaction ends (so two deliveries for a new customer
 * cannot create two contacts), then looks them up by customer id and by email and checks the
 * erasure tombstones: one round trip, through the lock_and_find_identity function (migration 008).
 * Who the person is, and whether they are new, is then decided by app/intake/resolve-contact.ts.
 */
export async function lockAndFindIdentity(db: Queryable, lookup: IdentityLookup): Promise<IdentityMatch> {
  const params = new SqlParams();
  const result = await db.query<IdentityRow>({
    name: 'lock-and-find-identity',
    text: lockAndFindSql(params, lookup),
    values: params.values,
  });
  return toIdentityMatch(result.rows, lookup);
}

/**
 * The intake's first statement, in one round trip: locks and looks up the person the delivery
 * names (as lockAndFindIdentity), then stores the delivery unless its dedup key is known, not yet
 * attached to anyone: resolveContact decides whose it is, and the write that follows attaches it.
 * Null for a duplicate.
 */
export async function insertDeliveryAndFindIdentity(
  db: Queryable,
  delivery: NewDelivery,
  lookup: IdentityLookup,
): Promise<{ deliveryId: number; identity: IdentityMatch } | null> {
  const params = new SqlParams();
  const text = `with found as (${lockAndFindSql(params, lookup)}),
           inserted as (${insertDeliverySql(params, delivery)})
           select inserted.id as delivery_id, found.* from inserted cross join found`;
  const result = await db.query<IdentityRow & { delivery_id: number }>({
    name: 'insert-delivery-find-identity',
    text,
    values: params.values,
  });
  const first = result.rows[0];
  if (!first) return null;
  return { deliveryId: first.delivery_id, identity: toIdentityMatch(result.rows, lookup) };
}

function toIdentityMatch(rows: readonly IdentityRow[], lookup: IdentityLookup): IdentityMatch {
  const found = rows.filter((row): row is IdentityRow & RawContact => row.id !== null).map(toContact);
  return {
    byCustomerId:
      lookup.customerId === null ? null : (found.find((row) => row.thrivecartCustomerId === lookup.customerId) ?? null),
    byEmail: found.find((row) => row.email === lookup.email) ?? null,
    erased: rows[0]?.erased ?? false,
  };
}
