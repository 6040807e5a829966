import type { CustomerRef } from '../core/events.ts';
import { findIdentity, insertContact, lockIdentities, mergeContactInto, updateContactDetails, type ContactRow } from '../adapters/store/contacts.ts';
import type { Queryable } from '../adapters/store/database.ts';

/** The contact an event belongs to, or why there is none. */
export type ContactResolution =
  | {
      contactId: number;
      reason: null;
      /** The email or a name changed (CRMs must hear of it even when no tag changes). */
      detailsChanged: boolean;
      /** The row just created for a new person (nothing else is recorded for them yet); null for a known one. */
      created: ContactRow | null;
    }
  | { contactId: null; reason: string; detailsChanged: false; created: null };

/** Identities as erasure remembers them. */
export function identitiesOf(customer: Pick<CustomerRef, 'email' | 'thrivecartId'>): string[] {
  return [`email:${customer.email}`, ...(customer.thrivecartId ? [`customer:${customer.thrivecartId}`] : [])];
}

/**
 * Finds the one contact for a person: by ThriveCart customer id first (stable across email
 * changes), by email otherwise. Newer events update the email and names; blank names never
 * overwrite real ones. When the same person exists twice (an email-only row, then a customer id
 * arriving with that email on another row), the rows are merged. Nobody is created when
 * `createIfMissing` is false, nor when the person was erased (GDPR): a late delivery must not
 * bring them back.
 */
export async function resolveContact(
  db: Queryable,
  customer: CustomerRef,
  occurredAt: number,
  now: number,
  createIfMissing = true,
): Promise<ContactResolution> {
  const keys = identitiesOf(customer);
  await lockIdentities(db, keys);
  const { byCustomerId, byEmail, erased } = await findIdentity(db, customer.thrivecartId, customer.email, keys);

  if (!byCustomerId && !byEmail) {
    if (!createIfMissing) return { contactId: null, reason: 'no contact with this customer id or email yet', detailsChanged: false, created: null };
    if (erased) return { contactId: null, reason: 'this person was erased (GDPR); nothing is recorded for them', detailsChanged: false, created: null };
    const details = { email: customer.email, thrivecartCustomerId: customer.thrivecartId, firstName: customer.firstName, lastName: customer.lastName, detailsAsOf: occurredAt };
    const contactId = await insertContact(db, { ...details, now });
    return { contactId, reason: null, detailsChanged: false, created: { id: contactId, ...details, ledger: null, createdAt: now, updatedAt: now } };
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
  const detailsChanged = details.email !== contact.email || details.firstName !== contact.firstName || details.lastName !== contact.lastName;
  return { contactId: contact.id, reason: null, detailsChanged, created: null };
}

function isNewer(occurredAt: number, asOf: number | null): boolean {
  return asOf === null || occurredAt >= asOf;
}
