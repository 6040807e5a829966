import type { LedgerProjection } from '../../core/ledger/fold.ts';
import { NEXT_CONTACT_ID, type NewContactJob } from './contacts.ts';
import type { Queryable } from './database.ts';
import { deliveryValues, insertDeliverySql, type NewDelivery } from './deliveries.ts';
import { lockAndFindSql, type IdentityLookup } from './identity.ts';

/** What storeNewBuyer did: created the person, found they were already known (or erased), or found the delivery already stored. */
export type NewBuyerOutcome = 'created' | 'known' | 'duplicate';

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
  const result = await db.query<{ created: boolean; known: boolean }>({
    name: 'store-new-buyer',
    text: `with found as (${lockAndFindSql('$11', '$12', '$13')}),
           verdict as (select exists (select 1 from found where found.id is not null or found.erased) as known),
           fresh as (select ${NEXT_CONTACT_ID} as contact_id from verdict where not verdict.known),
           inserted as (${insertDeliverySql({ id: '$14', contactId: 'fresh.contact_id', from: 'fresh' })}),
           contact as (
             insert into contacts (id, email, thrivecart_customer_id, first_name, last_name, details_as_of, ledger, created_at, updated_at)
             select inserted.contact_id, $13, $12, $15, $16, to_timestamp($17 / 1000.0), $18, to_timestamp($19 / 1000.0), to_timestamp($19 / 1000.0) from inserted
             returning id),
           queued as (
             insert into jobs (kind, key, run_at)
             select job.kind, contact.id::text, to_timestamp(job.run_at / 1000.0) from contact, unnest($20::text[], $21::float8[]) as job(kind, run_at))
           select exists (select 1 from contact) as created, verdict.known from verdict`,
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
  const { created, known } = result.rows[0]!;
  return created ? 'created' : known ? 'known' : 'duplicate';
}
