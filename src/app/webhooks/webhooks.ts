import type { WebhooksConfig } from '../../config/schema.ts';
import type { HostResolver } from '../../adapters/webhooks/host-resolver.ts';
import type { Pool } from '../../adapters/store/database.ts';
import { countWebhookEndpoints, mirrorConfigEndpoints } from '../../adapters/store/webhook-endpoints.ts';

/**
 * What the use-cases need to know about outbound webhooks. `mayHaveEndpoints` keeps the ingest
 * path free when nobody listens: emitting then costs no query at all.
 */
export class Webhooks {
  constructor(
    private endpointsExist: boolean,
    readonly resolveHost: HostResolver,
    /** Endpoints added in the console or API are limited to https and public addresses. */
    readonly restrictAddedEndpoints: boolean,
  ) {}

  /** False only when no endpoint existed at start-up and none was added since (by this process). */
  get mayHaveEndpoints(): boolean {
    return this.endpointsExist;
  }

  endpointAdded(): void {
    this.endpointsExist = true;
  }
}

/** Mirrors the configuration's endpoints into the database and tells whether any endpoint exists. */
export async function openWebhooks(pool: Pool, config: WebhooksConfig | undefined, resolveHost: HostResolver, now: number): Promise<Webhooks> {
  const endpoints = (config?.endpoints ?? []).map((endpoint) => ({ name: endpoint.name, url: endpoint.url, events: endpoint.events === 'all' ? null : endpoint.events }));
  await mirrorConfigEndpoints(pool, endpoints, now);
  return new Webhooks((await countWebhookEndpoints(pool)) > 0, resolveHost, !(config?.allowPrivateNetworks ?? false));
}
