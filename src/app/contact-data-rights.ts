import { enqueueJob } from '../adapters/jobs/enqueue-job.ts';
import { findContactByEmail, lockContact, type ContactRow } from '../adapters/store/contacts.ts';
import { withTransaction, type Queryable } from '../adapters/store/database.ts';
import { rememberErased } from '../adapters/store/erasure.ts';
import { deleteContactMessages } from '../adapters/store/webhook-messages.ts';
import { normaliseEmail } from '../core/email-address.ts';
import type { AppContext } from './context.ts';
import { getContactView, getTimeline, type ContactView, type TimelineView } from './contacts/contact-views.ts';
import { crmErasureJobKind } from './crm/crm-connections.ts';
import { identitiesOf } from './intake/resolve-contact.ts';

export interface ContactExport {
  exportedAt: string;
  contact: Omit<ContactRow, 'ledger'>;
  access: ContactView['access'];
  tags: ContactView['tags'];
  timeline: TimelineView[];
  /** Every stored delivery about this person, as received (secret removed) and as understood. */
  deliveries: Record<string, unknown>[];
  /** What the ledger recorded: orders, lines, subscriptions. */
  ledger: ContactRow['ledger'];
  dunningCases: Record<string, unknown>[];
  crmSync: Record<string, unknown>[];
}

/** GDPR access and portability: everything Handoff holds about one person, as JSON. */
export async function exportContact(ctx: AppContext, email: string): Promise<ContactExport | null> {
  const contact = await findContactByEmail(ctx.pool, email);
  if (!contact) return null;
  const [view, timeline, deliveries, dunningCases, crmSync] = await Promise.all([
    getContactView(ctx, email),
    getTimeline(ctx, email),
    ctx.pool.query(
      `select id, source, received_at, event_name, occurred_at, status, reason, body, event from deliveries where contact_id = $1 order by id`,
      [contact.id],
    ),
    ctx.pool.query(`select * from dunning_cases where contact_id = $1 order by id`, [contact.id]),
    ctx.pool.query(
      `select connector, remote_id, known_tags, pushed_email, pushed_first_name, pushed_last_name, synced_at from crm_contacts where contact_id = $1`,
      [contact.id],
    ),
  ]);
  const { ledger, ...details } = contact;
  return {
    exportedAt: new Date(ctx.clock.now()).toISOString(),
    contact: details,
    access: view?.access ?? [],
    tags: view?.tags ?? [],
    timeline: timeline ?? [],
    deliveries: deliveries.rows,
    ledger,
    dunningCases: dunningCases.rows,
    crmSync: crmSync.rows,
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
  const candidates = await db.query<{ id: number; email: string }>(
    `select id, body->'customer'->>'email' as email from deliveries
      where contact_id is null and status <> 'erased' and strpos(lower(body->'customer'->>'email'), $1) > 0`,
    [email],
  );
  return candidates.rows.filter((row) => normaliseEmail(row.email) === email).map((row) => row.id);
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

    const remote = await client.query<{ connector: string; remote_id: string | null }>(
      `select connector, remote_id from crm_contacts where contact_id = $1`,
      [contact.id],
    );
    const remoteIds = new Map(remote.rows.map((row) => [row.connector, row.remote_id]));
    for (const crm of ctx.config.crm) {
      // A connector may delete by e-mail, so the job carries it until it completes (done jobs are
      // deleted); a job given up on is stripped of it at once (migration 014).
      await enqueueJob(client, {
        kind: crmErasureJobKind(crm.name),
        key: `erase:${contact.id}`,
        runAt: now,
        payload: { email: contact.email, remoteId: remoteIds.get(crm.name) ?? null },
      });
    }

    const unattached = await unattachedDeliveriesOf(client, contact.email);
    const scrubbed = await client.query(
      `update deliveries set body = '{}'::json, event = null, status = 'erased', reason = $3, contact_id = null
        where contact_id = $1 or id = any($2::bigint[])`,
      [contact.id, unattached, `personal data erased on ${new Date(now).toISOString().slice(0, 10)} by ${actor}`],
    );
    await client.query(`delete from dunning_cases where contact_id = $1`, [contact.id]);
    await client.query(`delete from crm_contacts where contact_id = $1`, [contact.id]);
    await deleteContactMessages(client, contact.id);
    await client.query(`delete from jobs where key = $1 and state <> 'running'`, [String(contact.id)]);
    await client.query(`delete from contacts where id = $1`, [contact.id]);
    ctx.log.info({ actor, contactId: contact.id, deliveries: scrubbed.rowCount }, 'contact erased');
    return { deliveries: scrubbed.rowCount ?? 0 };
  });
}
