import type { CustomerRef } from '../core/events.ts';
import {
  findContactByCustomerId,
  findContactByEmail,
  insertContact,
  lockIdentities,
  mergeContactInto,
  updateContactDetails,
  type ContactRow,
} from '../adapters/store/contacts.ts';
import type { Queryable } from '../adapters/store/database.ts';

/**
 * Finds the one contact for a person: by ThriveCart customer id first (stable across email
 * changes), by email otherwise. Newer events update the email and names; blank names never
 * overwrite real ones. When the same person exists twice (an email-only row, then a customer id
 * arriving with that email on another row), the rows are merged. Returns null only when
 * `createIfMissing` is false and nobody matches.
 */
export async function resolveContact(
  db: Queryable,
  customer: CustomerRef,
  occurredAt: number,
  now: number,
  createIfMissing = true,
): Promise<number | null> {
  const keys = [`email:${customer.email}`];
  if (customer.thrivecartId) keys.push(`customer:${customer.thrivecartId}`);
  await lockIdentities(db, keys);

  const byCustomerId = customer.thrivecartId ? await findContactByCustomerId(db, customer.thrivecartId) : null;
  const byEmail = await findContactByEmail(db, customer.email);

  if (!byCustomerId && !byEmail) {
    if (!createIfMissing) return null;
    return insertContact(db, { ...customer, thrivecartCustomerId: customer.thrivecartId, detailsAsOf: occurredAt, now });
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
  return contact.id;
}

function isNewer(occurredAt: number, asOf: number | null): boolean {
  return asOf === null || occurredAt >= asOf;
}
