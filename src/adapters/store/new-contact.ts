import type { LedgerProjection } from '../../core/ledger/fold.ts';
import { NEXT_CONTACT_ID, type ContactDetails } from './contacts.ts';
import type { Queryable } from './database.ts';
import { insertDeliverySql, type NewDelivery } from './deliveries.ts';
import { lockAndFindSql, type IdentityLookup } from './identity.ts';
import { SqlParams } from './sql-params.ts';

/** A job to enqueue for a contact created in the same statement (its key is the new contact's id). */
export interface NewContactJob {
  kind: string;
  runAt: number;
}

/** The rows of a new contact: the contact with its first ledger, and its jobs. */
export interface NewContactRows {
  details: ContactDetails & { detailsAsOf: number };
  ledger: LedgerProjection;
  jobs: readonly NewContactJob[];
  now: number;
}

/**
 * Where the delivery that made the person known goes:
 * - `attach`: it is stored already; it is attached to the new contact (applied);
 * - `claim`: it is stored in the same statement as `deliveryId`, only when the person's identity
 *   lookup (taken under their identity locks, as lockAndFindIdentity) finds nobody and no erasure.
 */
export type NewContactPlacement =
  | { kind: 'attach'; deliveryId: number }
  | { kind: 'claim'; delivery: NewDelivery; deliveryId: number; lookup: IdentityLookup };

/** What insertNewContact did: created the contact, or (a claim only) wrote nothing because the person is known or erased, or the delivery was already stored. */
export type NewContactInsert = { kind: 'created'; contactId: number } | { kind: 'known' } | { kind: 'duplicate' };

/**
 * Inserts a new contact with its first ledger, its jobs and its delivery, in one statement. It is
 * the only statement that creates a contact with its ledger (a team member added by e-mail, with no
 * delivery of their own, starts as a bare row: app/teams/teams.ts). A fresh id has no pending jobs, so the jobs are plain inserts.
 */
export async function insertNewContact(
  db: Queryable,
  rows: NewContactRows,
  placement: NewContactPlacement,
): Promise<NewContactInsert> {
  const params = new SqlParams();
  if (placement.kind === 'attach') {
    const text = `with placed as (
             update deliveries set status = 'applied', reason = null, contact_id = ${NEXT_CONTACT_ID} where id = ${params.add(placement.deliveryId)}
             returning contact_id),
           ${contactAndJobsSql(params, rows)}
           select id from contact`;
    const result = await db.query<{ id: number }>({ name: 'insert-new-contact', text, values: params.values });
    const created = result.rows[0];
    if (!created) throw new Error(`delivery ${placement.deliveryId} is not stored; no contact was created for it`);
    return { kind: 'created', contactId: created.id };
  }
  // Nothing is written unless the lookup found nobody: the statement holds the identity locks until
  // it commits, so a concurrent delivery for the same person waits and then finds them.
  const text = `with found as (${lockAndFindSql(params, placement.lookup)}),
           verdict as (select exists (select 1 from found where found.id is not null or found.erased) as known),
           fresh as (select ${NEXT_CONTACT_ID} as contact_id from verdict where not verdict.known),
           placed as (${insertDeliverySql(params, placement.delivery, { id: params.add(placement.deliveryId), contactId: 'fresh.contact_id', from: 'fresh' })}),
           ${contactAndJobsSql(params, rows)}
           select (select id from contact) as contact_id, verdict.known from verdict`;
  const result = await db.query<{ contact_id: number | null; known: boolean }>({
    name: 'claim-new-contact',
    text,
    values: params.values,
  });
  const { contact_id: contactId, known } = result.rows[0]!;
  return contactId !== null ? { kind: 'created', contactId } : known ? { kind: 'known' } : { kind: 'duplicate' };
}

/** The `contact` and `queued` CTEs: the contact row (id from `placed.contact_id`) with its ledger, and its jobs. */
function contactAndJobsSql(params: SqlParams, rows: NewContactRows): string {
  const { details } = rows;
  const now = `to_timestamp(${params.add(rows.now)} / 1000.0)`;
  return `contact as (
             insert into contacts (id, email, thrivecart_customer_id, first_name, last_name, details_as_of, ledger, created_at, updated_at)
             select placed.contact_id, ${params.add(details.email)}, ${params.add(details.thrivecartCustomerId)}, ${params.add(details.firstName)}, ${params.add(details.lastName)},
                    to_timestamp(${params.add(details.detailsAsOf)} / 1000.0), ${params.add(JSON.stringify(rows.ledger))}, ${now}, ${now} from placed
             returning id),
           queued as (
             insert into jobs (kind, key, run_at)
             select job.kind, contact.id::text, to_timestamp(job.run_at / 1000.0)
               from contact, unnest(${params.add(rows.jobs.map((job) => job.kind))}::text[], ${params.add(rows.jobs.map((job) => job.runAt))}::float8[]) as job(kind, run_at))`;
}
