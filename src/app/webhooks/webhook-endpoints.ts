import { randomBytes } from 'node:crypto';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../../core/webhooks/webhook-event.ts';
import { checkOutboundUrl } from '../../core/webhooks/outbound-url.ts';
import {
  deleteConsoleEndpoint,
  insertConsoleEndpoint,
  listWebhookEndpoints,
  setEndpointEnabled,
  type WebhookEndpointRow,
} from '../../adapters/store/webhook-endpoints.ts';
import { checkedAddresses } from '../../adapters/webhooks/checked-addresses.ts';
import type { AppContext } from '../context.ts';
import { ENDPOINT_SECRET_CONTEXT } from './webhooks.ts';

/** An endpoint as the console and API show it: never its secret. */
export interface WebhookEndpointView {
  id: number;
  name: string;
  url: string;
  /** `config` endpoints are edited in the configuration file; `console` ones here. */
  source: WebhookEndpointRow['source'];
  events: WebhookEventType[] | 'all';
  enabled: boolean;
  disabledReason: string | null;
  createdAt: string;
}

function toView(row: WebhookEndpointRow): WebhookEndpointView {
  return {
    id: row.id,
    name: row.name,
    url: row.url,
    source: row.source,
    events: row.events ?? 'all',
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

export async function listWebhookEndpointViews(ctx: AppContext): Promise<WebhookEndpointView[]> {
  return (await listWebhookEndpoints(ctx.pool)).map(toView);
}

export interface NewEndpointRequest {
  url: string;
  name?: string | undefined;
  /** Event types, or `all` / none for every type. */
  events?: readonly string[] | 'all' | undefined;
}

export type AddEndpointResult =
  { endpoint: WebhookEndpointView; secret: string; error: null } | { endpoint: null; secret: null; error: string };

/**
 * Adds an endpoint from the console or API with a fresh secret, returned once and only here. The
 * URL is refused (unless the configuration allows private networks) when it is not https or when
 * its host is, or resolves to, a private, loopback, link-local or otherwise internal address;
 * delivery checks the address again when it connects.
 */
export async function addWebhookEndpoint(ctx: AppContext, request: NewEndpointRequest): Promise<AddEndpointResult> {
  const refuse = (error: string): AddEndpointResult => ({ endpoint: null, secret: null, error });
  const restricted = ctx.webhooks.restrictAddedEndpoints;
  const parsed = checkOutboundUrl(request.url.trim(), restricted);
  if (parsed.error !== null) return refuse(parsed.error);
  const resolved = await checkedAddresses(parsed.url, restricted, ctx.webhooks.resolveHost);
  if (resolved.error !== null) return refuse(resolved.error);

  const requested = request.events === undefined || request.events === 'all' ? [] : request.events;
  const unknown = requested.filter((type) => !(WEBHOOK_EVENT_TYPES as readonly string[]).includes(type));
  if (unknown.length > 0)
    return refuse(`unknown event type(s) ${unknown.join(', ')}; known: ${WEBHOOK_EVENT_TYPES.join(', ')}`);
  const events =
    requested.length === 0 || requested.length === WEBHOOK_EVENT_TYPES.length
      ? null
      : [...new Set(requested as WebhookEventType[])];

  const name = (request.name ?? '').trim().slice(0, 80) || parsed.url.hostname;
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  try {
    const sealed = ctx.webhooks.secrets().seal(secret, ENDPOINT_SECRET_CONTEXT);
    const row = await insertConsoleEndpoint(
      ctx.pool,
      { name, url: parsed.url.href, secret: sealed, events },
      ctx.clock.now(),
    );
    ctx.webhooks.endpointAdded();
    return { endpoint: toView(row), secret, error: null };
  } catch (error) {
    if ((error as { code?: string }).code === '23505')
      return refuse(`an endpoint named "${name}" exists already; choose another name`);
    throw error;
  }
}

/** Deletes an endpoint added in the console or API, with its pending deliveries. */
export async function removeWebhookEndpoint(ctx: AppContext, id: number): Promise<boolean> {
  return deleteConsoleEndpoint(ctx.pool, id);
}

/** Pauses or resumes an endpoint (configuration endpoints too: e.g. after a 410 was fixed). */
export async function setWebhookEndpointEnabled(
  ctx: AppContext,
  id: number,
  enabled: boolean,
  actor: string,
): Promise<boolean> {
  return setEndpointEnabled(ctx.pool, id, enabled, enabled ? null : `disabled by ${actor}`);
}
