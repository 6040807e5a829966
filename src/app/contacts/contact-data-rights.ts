import { forgetInImports } from '../../adapters/store/thrivecart-imports.ts';
import { enqueueJob } from '../../adapters/jobs/enqueue-job.ts';
import { contactRecordsForExport, type ContactRecords } from '../../adapters/store/contact-export.ts';
import { findContactByEmail, lockContact, type ContactRow } from '../../adapters/store/contacts.ts';
import { crmRecordsOf } from '../../adapters/store/crm-contacts.ts';
import { excludeBulkImportNotes } from '../../adapters/store/bulk-import-lock.ts';
import { withTransaction, type Queryable } from '../../adapters/store/database.ts';
import {
  deleteContactRecords,
  eraseDeliveries,
  rememberErased,
  unattachedDeliveriesMentioning,
} from '../../adapters/store/erasure.ts';
import { deleteContactMessages } from '../../adapters/store/webhook-messages.ts';
import { normaliseEmail } from '../../core/email-address.ts';
import type { AppContext } from '../context.ts';
import { crmErasureJobKind } from '../crm/crm-connections.ts';
import { identitiesOf } from '../intake/resolve-contact.ts';
import { getContactView, getTimeline, type ContactView, type TimelineView } from './contact-views.ts';
import { leaveTeamsOnErasure } from '../teams/leave-teams-on-erasure.ts';
import { teamsOfContact } from '../teams/team-views.ts';

export interface ContactExport extends ContactRecords {
  exportedAt: string;
  contact: Omit<ContactRow, 'ledger'>;
  access: ContactView['access'];
  tags: ContactView['tags'];
  timeline: TimelineView[];
  /** What the ledger recorded: orders, lines, subscriptions. */
  ledger: ContactRow['ledger'];
  /** Team pools the person leads, and the seats they hold or held (docs/teams.md). */
  teams: Awaited<ReturnType<typeof teamsOfContact>>;
}

/** GDPR access and portability: everything Handoff holds about one person, as JSON. */
export async function exportContact(ctx: AppContext, email: string): Promise<ContactExport | null> {
  const contact = await findContactByEmail(ctx.pool, email);
  if (!contact) return null;
  const [view, timeline, records, teams] = await Promise.all([
    getContactView(ctx, email),
    getTimeline(ctx, email),
    contactRecordsForExport(ctx.pool, contact.id),
    teamsOfContact(ctx, email),
  ]);
  const { ledger, ...details } = contact;
  return {
    exportedAt: new Date(ctx.clock.now()).toISOString(),
    contact: details,
    access: view?.access ?? [],
    tags: view?.tags ?? [],
    timeline: timeline ?? [],
    deliveries: records.deliveries,
    ledger,
    dunningCases: records.dunningCases,
    crmSync: records.crmSync,
    teams,
  };
}

/**
 * GDPR erasure: removes the person from every table (stored deliveries keep only their dedup key,
 * so a re-send stays a duplicate), remembers their identities as salted hashes so a late delivery
 * cannot re-create them, and queues their deletion in every configured CRM. Returns null when the
 * email is unknown.
 */
/**
 * Stored deliveries about this person that no contact holds (rejected, ignored, failed), matched
 * on the e-mail as intake normalises it: a delivery with "  Ada@Example.com" must go with
 * ada@example.com. The SQL only narrows the candidates (the stored text contains the address,
 * whatever its case); normaliseEmail decides.
 */
async function unattachedDeliveriesOf(db: Queryable, email: string): Promise<number[]> {
  const candidates = await unattachedDeliveriesMentioning(db, email);
  return candidates.filter((row) => normaliseEmail(row.email) === email).map((row) => row.id);
}

export async function eraseContact(
  ctx: AppContext,
  email: string,
  actor: string,
): Promise<{ deliveries: number } | null> {
  const found = await findContactByEmail(ctx.pool, email);
  if (!found) return null;
  return withTransaction(ctx.pool, async (client) => {
    const contact = await lockContact(client, found.id);
    if (!contact) return null;
    const now = ctx.clock.now();
    await rememberErased(
      client,
      identitiesOf({ email: contact.email, thrivecartId: contact.thrivecartCustomerId }),
      now,
    );

    // After any bulk import noting its people has committed, so a note about this person is seen.
    await excludeBulkImportNotes(client);
    const records = await crmRecordsOf(client, contact.id);
    for (const crm of ctx.config.crm) {
      // A connector may delete by e-mail, and a record a bulk import created is found by the e-mail
      // it carried, so the job carries both until it completes (done jobs are deleted); a job given
      // up on is stripped of them at once (migrations 014 and 036).
      const record = records.get(crm.name);
      await enqueueJob(client, {
        kind: crmErasureJobKind(crm.name),
        key: `erase:${contact.id}`,
        runAt: now,
        payload: {
          email: contact.email,
          remoteId: record?.remoteId ?? null,
          importedEmail: record?.importedEmail ?? null,
          formerRemoteIds: record?.formerRemoteIds ?? [],
        },
      });
    }

    const unattached = await unattachedDeliveriesOf(client, contact.email);
    const deliveries = await eraseDeliveries(client, {
      contactId: contact.id,
      otherDeliveryIds: unattached,
      reason: `personal data erased on ${new Date(now).toISOString().slice(0, 10)} by ${actor}`,
    });
    await leaveTeamsOnErasure(ctx, client, contact.id);
    await forgetInImports(client, contact.email);
    await deleteContactMessages(client, contact.id);
    await deleteContactRecords(client, contact.id);
    ctx.log.info({ actor, contactId: contact.id, deliveries }, 'contact erased');
    return { deliveries };
  });
}
