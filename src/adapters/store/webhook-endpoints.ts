import type { WebhookEventType } from '../../core/webhooks/webhook-event.ts';
import type { Queryable } from './database.ts';

export type EndpointSource = 'config' | 'console';

export interface WebhookEndpointRow {
  id: number;
  source: EndpointSource;
  name: string;
  url: string;
  /** Null for configuration endpoints: their secret is read from the configuration. */
  secret: string | null;
  /** Null: every event type. */
  events: WebhookEventType[] | null;
  enabled: boolean;
  disabledReason: string | null;
  createdAt: number;
}

/** Selected under the names of WebhookEndpointRow, so a row is the endpoint as read. */
const COLUMNS = `id, source, name, url, secret, events, enabled, disabled_reason as "disabledReason", (extract(epoch from created_at) * 1000)::float8 as "createdAt"`;

export async function listWebhookEndpoints(db: Queryable): Promise<WebhookEndpointRow[]> {
  const result = await db.query<WebhookEndpointRow>(`select ${COLUMNS} from webhook_endpoints order by source, name`);
  return result.rows;
}

export async function findWebhookEndpoint(db: Queryable, id: number): Promise<WebhookEndpointRow | null> {
  const result = await db.query<WebhookEndpointRow>(`select ${COLUMNS} from webhook_endpoints where id = $1`, [id]);
  return result.rows[0] ?? null;
}

export async function countWebhookEndpoints(db: Queryable): Promise<number> {
  const result = await db.query<{ count: number }>(`select count(*)::int as count from webhook_endpoints`);
  return result.rows[0]!.count;
}

/**
 * Mirrors the configuration's endpoints: new ones are added, changed ones updated (a new URL
 * enables the endpoint again), removed ones deleted with their deliveries.
 */
export async function mirrorConfigEndpoints(
  db: Queryable,
  endpoints: readonly { name: string; url: string; events: WebhookEventType[] | null }[],
  now: number,
): Promise<void> {
  await db.query(`delete from webhook_endpoints where source = 'config' and not (name = any($1))`, [
    endpoints.map((endpoint) => endpoint.name),
  ]);
  for (const endpoint of endpoints) {
    await db.query(
      `insert into webhook_endpoints (source, name, url, events, created_at) values ('config', $1, $2, $3, to_timestamp($4 / 1000.0))
       on conflict (source, name) do update set events = excluded.events, url = excluded.url,
         enabled = webhook_endpoints.enabled or webhook_endpoints.url <> excluded.url,
         disabled_reason = case when webhook_endpoints.url <> excluded.url then null else webhook_endpoints.disabled_reason end`,
      [endpoint.name, endpoint.url, endpoint.events, now],
    );
  }
}

export async function insertConsoleEndpoint(
  db: Queryable,
  endpoint: { name: string; url: string; secret: string; events: WebhookEventType[] | null },
  now: number,
): Promise<WebhookEndpointRow> {
  const result = await db.query<WebhookEndpointRow>(
    `insert into webhook_endpoints (source, name, url, secret, events, created_at) values ('console', $1, $2, $3, $4, to_timestamp($5 / 1000.0)) returning ${COLUMNS}`,
    [endpoint.name, endpoint.url, endpoint.secret, endpoint.events, now],
  );
  return result.rows[0]!;
}

/** Enables or disables an endpoint; returns false when there is no such endpoint. */
export async function setEndpointEnabled(
  db: Queryable,
  id: number,
  enabled: boolean,
  reason: string | null,
): Promise<boolean> {
  const result = await db.query(`update webhook_endpoints set enabled = $2, disabled_reason = $3 where id = $1`, [
    id,
    enabled,
    enabled ? null : reason,
  ]);
  return (result.rowCount ?? 0) > 0;
}

/** Deletes an endpoint added in the console or API (configuration endpoints live in the file). */
export async function deleteConsoleEndpoint(db: Queryable, id: number): Promise<boolean> {
  const result = await db.query(`delete from webhook_endpoints where id = $1 and source = 'console'`, [id]);
  return (result.rowCount ?? 0) > 0;
}
