import type { WebhookEventType } from '../../core/webhooks/webhook-event.ts';
import type { Queryable } from './database.ts';

/**
 * Stores a message and one pending delivery per enabled endpoint that subscribes to its type, in a
 * single statement; nothing is stored when no endpoint wants it. Returns the delivery ids.
 */
export async function insertMessageWithDeliveries(
  db: Queryable,
  message: { id: string; contactId: number; type: WebhookEventType; body: string },
  now: number,
): Promise<number[]> {
  const result = await db.query<{ id: number }>(
    `with targets as (
       select id from webhook_endpoints where enabled and (events is null or $3 = any(events))),
     message as (
       insert into webhook_messages (id, contact_id, type, body, created_at)
       select $1, $2, $3, $4, to_timestamp($5 / 1000.0) where exists (select 1 from targets)
       returning id)
     insert into webhook_deliveries (endpoint_id, message_id, created_at)
     select targets.id, message.id, to_timestamp($5 / 1000.0) from targets, message
     returning id`,
    [message.id, message.contactId, message.type, message.body, now],
  );
  return result.rows.map((row) => row.id);
}

/** GDPR erasure: a person's messages (with their deliveries and attempts) go. */
export async function deleteContactMessages(db: Queryable, contactId: number): Promise<number> {
  const result = await db.query(`delete from webhook_messages where contact_id = $1`, [contactId]);
  return result.rowCount ?? 0;
}
