import type { CommerceEvent } from '../../core/events.ts';
import { isConnectionLost, withTransaction, type Queryable } from '../../adapters/store/database.ts';
import { loadHistory, setDeliveryOutcome, type DeliveryStatus } from '../../adapters/store/deliveries.ts';
import type { IdentityMatch } from '../../adapters/store/identity.ts';
import type { PoolClient } from 'pg';
import type { AppContext } from '../context.ts';
import { enqueueJobs } from '../../adapters/jobs/enqueue-job.ts';
import { planInputs, planNewContact } from './new-contact-plan.ts';
import { writeNewContact } from './write-new-contact.ts';
import { refreshContact } from '../ledger/refresh-contact.ts';
import { mayCreateContact, resolveContact } from './resolve-contact.ts';
import { historyThatCounts } from './simulated-delivery.ts';

export interface ApplyOutcome {
  status: Extract<DeliveryStatus, 'applied' | 'ignored' | 'failed'>;
  reason: string | null;
  contactId: number | null;
}

/**
 * Applying a stored delivery threw. Its transaction must be rolled back whole (partial writes
 * included) and the failure recorded in a fresh one: see withApplyTransaction.
 */
export class ApplyFailed extends Error {
  constructor(
    readonly deliveryId: number,
    cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause), { cause });
    this.name = 'ApplyFailed';
  }
}

/**
 * Applies one stored delivery, whose event was classified as ours to apply
 * (app/intake/classify-delivery.ts), inside the caller's transaction: resolves the person (unless
 * `identity` says the caller already locked and looked them up), then writes a new contact's plan
 * or re-folds the known contact, attaching the delivery to them. Throws ApplyFailed when that fails.
 */
export async function applyDelivery(
  ctx: AppContext,
  db: Queryable,
  deliveryId: number,
  event: CommerceEvent,
  identity?: IdentityMatch,
): Promise<ApplyOutcome> {
  try {
    const now = ctx.clock.now();
    const resolution = await resolveContact(
      db,
      event.customer,
      event.occurredAt,
      now,
      mayCreateContact(event),
      identity,
    );
    switch (resolution.kind) {
      case 'none':
        await setDeliveryOutcome(db, deliveryId, { status: 'ignored', reason: resolution.reason, contactId: null });
        return { status: 'ignored', reason: resolution.reason, contactId: null };
      case 'new': {
        const plan = planNewContact(planInputs(ctx), { deliveryId, event }, now);
        const written = await writeNewContact(ctx, db, plan, { kind: 'attach', deliveryId });
        if (written.kind !== 'created')
          throw new Error(`delivery ${deliveryId}: the new contact was not written (${written.kind})`);
        return { status: 'applied', reason: null, contactId: written.contactId };
      }
      case 'known': {
        const { contactId } = resolution;
        if (ctx.insideHandoffOnly && !historyThatCounts(await loadHistory(db, contactId)).simulatedOnly) {
          const reason = `simulated, and ${event.customer.email} is a real contact: a simulation would mix with their real history (use another e-mail address)`;
          await setDeliveryOutcome(db, deliveryId, { status: 'ignored', reason, contactId: null });
          return { status: 'ignored', reason, contactId: null };
        }
        // A new email or name reaches the CRMs even when no tag changes (refreshContact only sees tags).
        if (resolution.detailsChanged)
          await enqueueJobs(
            db,
            ctx.onContactChanged.map((kind) => ({ kind, key: String(contactId), runAt: now })),
          );
        await refreshContact(ctx, db, contactId, deliveryId);
        return { status: 'applied', reason: null, contactId };
      }
    }
  } catch (error) {
    // A lost database connection is not the delivery's fault: the request fails and ThriveCart retries.
    if (isConnectionLost(error)) throw error;
    throw new ApplyFailed(deliveryId, error);
  }
}

/**
 * Runs `work`, which stores and applies a delivery, in one transaction. When the apply fails the
 * whole transaction is rolled back and `recordFailure` runs in a fresh one, so the delivery is
 * kept, marked failed with the error and replayable once the cause is fixed. (A savepoint would do
 * the same at the price of two more round trips on every delivery.)
 */
export async function withApplyTransaction<T>(
  ctx: AppContext,
  work: (client: PoolClient) => Promise<T>,
  recordFailure: (client: PoolClient, failure: ApplyFailed) => Promise<T>,
): Promise<T> {
  try {
    return await withTransaction(ctx.pool, work);
  } catch (error) {
    if (!(error instanceof ApplyFailed)) throw error;
    ctx.log.error(
      { deliveryId: error.deliveryId, err: error.cause },
      'applying a delivery failed; it is stored and marked failed',
    );
    return withTransaction(ctx.pool, (client) => recordFailure(client, error));
  }
}
