import { randomBytes } from 'node:crypto';
import type { WebhookEvent } from '../../core/webhooks/webhook-event.ts';
import { enqueueJob } from '../../adapters/jobs/enqueue-job.ts';
import type { Queryable } from '../../adapters/store/database.ts';
import { insertMessageWithDeliveries } from '../../adapters/store/webhook-messages.ts';
import { WEBHOOK_DELIVERY_JOB } from './webhook-job-kind.ts';

/** `msg_` + 24 URL-safe characters: unique per event, and free of the `.` the signed content uses as separator. */
function newMessageId(): string {
  return `msg_${randomBytes(18).toString('base64url')}`;
}

/**
 * Records an event in the outbox, inside the caller's transaction (the one making the change), with
 * one delivery job per subscribed endpoint: a committed change always has its webhooks, a
 * rolled-back one never does. The body is fixed now so every retry sends the same signed bytes.
 */
export async function recordWebhookEvent(db: Queryable, event: WebhookEvent, now: number): Promise<void> {
  const body = JSON.stringify({ type: event.type, timestamp: new Date(now).toISOString(), data: event.data });
  const deliveries = await insertMessageWithDeliveries(
    db,
    { id: newMessageId(), contactId: event.contactId, type: event.type, body },
    now,
  );
  for (const deliveryId of deliveries)
    await enqueueJob(db, { kind: WEBHOOK_DELIVERY_JOB, key: String(deliveryId), runAt: now });
}
