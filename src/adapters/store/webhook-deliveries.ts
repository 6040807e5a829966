import type { Queryable } from './database.ts';
import type { WebhookEndpointRow } from './webhook-endpoints.ts';

export type WebhookDeliveryState = 'pending' | 'delivered' | 'dead' | 'cancelled';

/** What one delivery job needs: the message and where it goes. */
export interface DeliveryTarget {
  deliveryId: number;
  state: WebhookDeliveryState;
  messageId: string;
  body: string;
  endpoint: Pick<WebhookEndpointRow, 'id' | 'source' | 'name' | 'url' | 'secret' | 'enabled'>;
}

export async function loadDeliveryTarget(db: Queryable, deliveryId: number): Promise<DeliveryTarget | null> {
  const result = await db.query<{
    state: WebhookDeliveryState;
    message_id: string;
    body: string;
    endpoint_id: number;
    source: 'config' | 'console';
    name: string;
    url: string;
    secret: string | null;
    enabled: boolean;
  }>(
    `select d.state, d.message_id, m.body, e.id as endpoint_id, e.source, e.name, e.url, e.secret, e.enabled
       from webhook_deliveries d join webhook_messages m on m.id = d.message_id join webhook_endpoints e on e.id = d.endpoint_id
      where d.id = $1`,
    [deliveryId],
  );
  const row = result.rows[0];
  if (!row) return null;
  return {
    deliveryId,
    state: row.state,
    messageId: row.message_id,
    body: row.body,
    endpoint: {
      id: row.endpoint_id,
      source: row.source,
      name: row.name,
      url: row.url,
      secret: row.secret,
      enabled: row.enabled,
    },
  };
}

export interface AttemptRecord {
  at: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** Records one HTTP attempt and what it means for the delivery (still pending, or finished). */
export async function recordAttempt(
  db: Queryable,
  deliveryId: number,
  attempt: AttemptRecord,
  state: WebhookDeliveryState,
): Promise<void> {
  await db.query(
    `insert into webhook_attempts (delivery_id, at, status_code, error, duration_ms) values ($1, to_timestamp($2 / 1000.0), $3, $4, $5)`,
    [deliveryId, attempt.at, attempt.statusCode, attempt.error, attempt.durationMs],
  );
  await db.query(
    `update webhook_deliveries set attempts = attempts + 1, last_error = $2, state = $3,
       finished_at = case when $3 = 'pending' then null else to_timestamp($4 / 1000.0) end
     where id = $1`,
    [deliveryId, attempt.error, state, attempt.at],
  );
}

/** Finishes a delivery without an attempt (its endpoint was disabled meanwhile). */
export async function cancelDelivery(db: Queryable, deliveryId: number, reason: string, now: number): Promise<void> {
  await db.query(
    `update webhook_deliveries set state = 'cancelled', last_error = $2, finished_at = to_timestamp($3 / 1000.0) where id = $1`,
    [deliveryId, reason, now],
  );
}

export interface DeliveryView {
  id: number;
  messageId: string;
  type: string;
  endpointId: number;
  endpointName: string;
  state: WebhookDeliveryState;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastAttemptAt: string | null;
  createdAt: string;
}

/** The most recent deliveries, newest first, with their last attempt. */
export async function listRecentDeliveries(
  db: Queryable,
  options: { limit: number; endpointId?: number },
): Promise<DeliveryView[]> {
  const result = await db.query<{
    id: number;
    message_id: string;
    type: string;
    endpoint_id: number;
    endpoint_name: string;
    state: WebhookDeliveryState;
    attempts: number;
    status_code: number | null;
    last_error: string | null;
    last_attempt_at: Date | null;
    created_at: Date;
  }>(
    `select d.id, d.message_id, m.type, d.endpoint_id, e.name as endpoint_name, d.state, d.attempts, last.status_code, d.last_error, last.at as last_attempt_at, d.created_at
       from webhook_deliveries d
       join webhook_messages m on m.id = d.message_id
       join webhook_endpoints e on e.id = d.endpoint_id
       left join lateral (select status_code, at from webhook_attempts a where a.delivery_id = d.id order by a.id desc limit 1) last on true
      where $2::bigint is null or d.endpoint_id = $2
      order by d.id desc limit $1`,
    [options.limit, options.endpointId ?? null],
  );
  return result.rows.map((row) => ({
    id: row.id,
    messageId: row.message_id,
    type: row.type,
    endpointId: row.endpoint_id,
    endpointName: row.endpoint_name,
    state: row.state,
    attempts: row.attempts,
    lastStatusCode: row.status_code,
    lastError: row.last_error,
    lastAttemptAt: row.last_attempt_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  }));
}
