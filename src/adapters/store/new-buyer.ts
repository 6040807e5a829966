import type { LedgerProjection } from '../../core/ledger/fold.ts';
import type { NewContactJob } from './contacts.ts';
import type { Queryable } from './database.ts';
import { deliveryValues, type NewDelivery } from './deliveries.ts';
import { lockAndFindSql, type IdentityLookup } from './identity.ts';

/** What storeNewBuyer did: created the person, found they were already known (or erased), or found the delivery already stored. */
export type NewBuyerOutcome = { kind: 'created'; contactId: number } | { kind: 'known' } | { kind: 'duplicate' };

/**
 * A new buyer's whole intake in one statement, committed on its own: takes the person's identity
 * locks and looks them up (as insertDeliveryAndFindIdentity), and only when nobody matches and
 * they were not erased, stores the delivery (as `deliveryId`, applied), the contact with the
 * ledger folded from that delivery, and the contact's jobs. When the person is known nothing is
 * written, and the caller takes the ordinary path. The lock is held until the statement commits,
 * so a concurrent delivery for the same person waits and then finds them.
 */
export async function storeNewBuyer(
  db: Queryable,
  delivery: NewDelivery,
  deliveryId: number,
  lookup: IdentityLookup,
  contact: { firstName: string | null; lastName: string | null; detailsAsOf: number; now: number },
  ledger: LedgerProjection,
  jobs: readonly NewContactJob[],
): Promise<NewBuyerOutcome> {
  const result = await db.query<{ contact_id: number | null; known: boolean }>({
    name: 'store-new-buyer',
    text: `with found as (${lockAndFindSql('$11', '$12', '$13')}),
           fresh as (
             select nextval(pg_get_serial_sequence('contacts', 'id')) as contact_id
              where not exists (select 1 from found where found.id is not null or found.erased)),
           inserted as (
             insert into deliveries (id, source, dedup_key, received_at, event_name, occurred_at, live, body, event, status, reason, contact_id)
             select $14, $1, $2, to_timestamp($3 / 1000.0), $4, to_timestamp($5 / 1000.0), $6, $7, $8, $9, $10, fresh.contact_id from fresh
             on conflict (dedup_key) do nothing
             returning contact_id),
           contact as (
             insert into contacts (id, email, thrivecart_customer_id, first_name, last_name, details_as_of, ledger, created_at, updated_at)
             select inserted.contact_id, $13, $12, $15, $16, to_timestamp($17 / 1000.0), $18, to_timestamp($19 / 1000.0), to_timestamp($19 / 1000.0) from inserted
             returning id),
           queued as (
             insert into jobs (kind, key, run_at)
             select job.kind, contact.id::text, to_timestamp(job.run_at / 1000.0) from contact, unnest($20::text[], $21::float8[]) as job(kind, run_at))
           select (select id from contact) as contact_id, exists (select 1 from found where found.id is not null or found.erased) as known`,
    values: [
      ...deliveryValues({ ...delivery, status: 'applied', reason: null }),
      lookup.keys,
      lookup.customerId,
      lookup.email,
      deliveryId,
      contact.firstName,
      contact.lastName,
      contact.detailsAsOf,
      JSON.stringify(ledger),
      contact.now,
      jobs.map((job) => job.kind),
      jobs.map((job) => job.runAt),
    ],
  });
  const row = result.rows[0]!;
  if (row.contact_id !== null) return { kind: 'created', contactId: row.contact_id };
  return row.known ? { kind: 'known' } : { kind: 'duplicate' };
}
