import type { CommerceEvent } from '../core/events.ts';
import { whyNotApplied } from '../core/ledger/applicability.ts';
import type { Queryable } from '../adapters/store/database.ts';
import { setDeliveryOutcome, type DeliveryStatus } from '../adapters/store/deliveries.ts';
import type { AppContext } from './context.ts';
import { enqueueJob } from '../adapters/jobs/enqueue-job.ts';
import { refreshContact } from './refresh-contact.ts';
import { resolveContact } from './resolve-contact.ts';

export interface ApplyOutcome {
  status: Extract<DeliveryStatus, 'applied' | 'ignored' | 'failed'>;
  reason: string | null;
  contactId: number | null;
}

/**
 * Decides and applies one stored delivery inside the caller's transaction. The apply step runs
 * under a savepoint: if it throws, its partial writes are undone, the delivery stays stored and is
 * marked failed with the error, so it can be replayed once the cause is fixed.
 */
export async function applyDelivery(ctx: AppContext, db: Queryable, deliveryId: number, event: CommerceEvent): Promise<ApplyOutcome> {
  const notOurs = whyNotApplied(event, ctx.rules, ctx.config.thrivecart.testMode);
  if (notOurs !== null) {
    await setDeliveryOutcome(db, deliveryId, { status: 'ignored', reason: notOurs, contactId: null });
    return { status: 'ignored', reason: notOurs, contactId: null };
  }
  await db.query('savepoint apply_delivery');
  try {
    const now = ctx.clock.now();
    const { contactId, reason, detailsChanged, created } = await resolveContact(db, event.customer, event.occurredAt, now, event.kind !== 'customer_updated');
    if (contactId === null) {
      await db.query('release savepoint apply_delivery');
      await setDeliveryOutcome(db, deliveryId, { status: 'ignored', reason, contactId: null });
      return { status: 'ignored', reason, contactId: null };
    }
    if (created) {
      // A person seen for the first time: their history is this delivery, nothing to load or lock.
      await refreshContact(ctx, db, contactId, { contact: created, history: [{ deliveryId, event }], attachDeliveryId: deliveryId });
    } else {
      await setDeliveryOutcome(db, deliveryId, { status: 'applied', reason: null, contactId });
      // A new email or name reaches the CRMs even when no tag changes (refreshContact only sees tags).
      if (detailsChanged) for (const kind of ctx.onContactChanged) await enqueueJob(db, { kind, key: String(contactId), runAt: now });
      await refreshContact(ctx, db, contactId);
    }
    await db.query('release savepoint apply_delivery');
    return { status: 'applied', reason: null, contactId };
  } catch (error) {
    await db.query('rollback to savepoint apply_delivery');
    const reason = error instanceof Error ? error.message : String(error);
    ctx.log.error({ deliveryId, err: error }, 'applying a delivery failed; it is stored and marked failed');
    await setDeliveryOutcome(db, deliveryId, { status: 'failed', reason, contactId: null });
    return { status: 'failed', reason, contactId: null };
  }
}
