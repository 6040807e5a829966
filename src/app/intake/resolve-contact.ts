import type { CommerceEvent, CustomerRef } from '../../core/events.ts';
import { mergeContactInto, updateContactDetails, type ContactRow } from '../../adapters/store/contacts.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import { lockAndFindIdentity, type IdentityLookup, type IdentityMatch } from '../../adapters/store/identity.ts';

/** The contact an event belongs to, the person to create for it, or why there is none. */
export type ContactResolution =
  | {
      kind: 'known';
      contactId: number;
      /** The email or a name changed (CRMs must hear of it even when no tag changes). */
      detailsChanged: boolean;
    }
  /** A person seen for the first time: the caller creates them (app/intake/new-contact-plan.ts). */
  | { kind: 'new' }
  | { kind: 'none'; reason: string };

/** Identities as erasure remembers them. */
export function identitiesOf(customer: Pick<CustomerRef, 'email' | 'thrivecartId'>): string[] {
  return [`email:${customer.email}`, ...(customer.thrivecartId ? [`customer:${customer.thrivecartId}`] : [])];
}

/** Every event but a customer update may create the contact it names (an update of nobody is ignored). */
export function mayCreateContact(event: Pick<CommerceEvent, 'kind'>): boolean {
  return event.kind !== 'customer_updated';
}

/** The identity lock and lookup keys for the person an event names. */
export function identityLookupFor(customer: Pick<CustomerRef, 'email' | 'thrivecartId'>): IdentityLookup {
  return { customerId: customer.thrivecartId, email: customer.email, keys: identitiesOf(customer) };
}

/**
 * The one set of rules for who owns a delivery and whether its person is new. Finds the one
 * contact for a person: by ThriveCart customer id first (stable across email
 * changes), by email otherwise. Newer events update the email and names; blank names never
 * overwrite real ones. When the same person exists twice (an email-only row, then a customer id
 * arriving with that email on another row), the rows are merged. Nobody is created when
 * `createIfMissing` is false, nor when the person was erased (GDPR): a late delivery must not
 * bring them back.
 *
 * Takes the identity locks (held until the transaction ends) unless `found` says the caller
 * already took them and looked the person up (the intake does both in its first statement).
 * (The new buyer's statement, adapters/store/new-contact.ts, writes only when that lookup finds
 * nobody and no erasure, the case this function answers `new`; otherwise it writes nothing and
 * the delivery comes here.)
 */
export async function resolveContact(
  db: Queryable,
  customer: CustomerRef,
  occurredAt: number,
  now: number,
  createIfMissing = true,
  found?: IdentityMatch,
): Promise<ContactResolution> {
  const { byCustomerId, byEmail, erased } = found ?? (await lockAndFindIdentity(db, identityLookupFor(customer)));

  if (!byCustomerId && !byEmail) {
    if (!createIfMissing) return { kind: 'none', reason: 'no contact with this customer id or email yet' };
    if (erased) return { kind: 'none', reason: 'this person was erased (GDPR); nothing is recorded for them' };
    return { kind: 'new' };
  }

  const contact = (byCustomerId ?? byEmail) as ContactRow;
  let email = contact.email;
  if (byEmail && byEmail.id !== contact.id) {
    // The email belongs to another row. If that row has no customer id of its own it is the same
    // person seen before ThriveCart told us their id: merge it here. Otherwise two ThriveCart
    // customers share the address; keep the email where it is.
    if (byEmail.thrivecartCustomerId === null) {
      await mergeContactInto(db, byEmail.id, contact.id);
      if (isNewer(occurredAt, contact.detailsAsOf)) email = customer.email;
    }
  } else if (isNewer(occurredAt, contact.detailsAsOf)) {
    email = customer.email;
  }

  const newer = isNewer(occurredAt, contact.detailsAsOf);
  const details = {
    email,
    thrivecartCustomerId: contact.thrivecartCustomerId ?? customer.thrivecartId,
    firstName: newer ? (customer.firstName ?? contact.firstName) : (contact.firstName ?? customer.firstName),
    lastName: newer ? (customer.lastName ?? contact.lastName) : (contact.lastName ?? customer.lastName),
    detailsAsOf: newer ? occurredAt : contact.detailsAsOf,
  };
  const changed =
    details.email !== contact.email ||
    details.thrivecartCustomerId !== contact.thrivecartCustomerId ||
    details.firstName !== contact.firstName ||
    details.lastName !== contact.lastName ||
    details.detailsAsOf !== contact.detailsAsOf;
  if (changed) await updateContactDetails(db, contact.id, details, now);
  const detailsChanged =
    details.email !== contact.email || details.firstName !== contact.firstName || details.lastName !== contact.lastName;
  return { kind: 'known', contactId: contact.id, detailsChanged };
}

function isNewer(occurredAt: number, asOf: number | null): boolean {
  return asOf === null || occurredAt >= asOf;
}
