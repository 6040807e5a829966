import type { WebhooksConfig } from '../../config/schema.ts';
import type { HostResolver } from '../../adapters/webhooks/host-resolver.ts';
import type { Pool } from '../../adapters/store/database.ts';
import { SecretBox } from '../../adapters/crypto/secret-box.ts';
import { countWebhookEndpoints, mirrorConfigEndpoints } from '../../adapters/store/webhook-endpoints.ts';

/**
 * What the use-cases need to know about outbound webhooks. `mayHaveEndpoints` keeps the ingest
 * path free when nobody listens: emitting then costs no query at all.
 */
export class Webhooks {
  private box: SecretBox | null = null;

  constructor(
    private endpointsExist: boolean,
    readonly resolveHost: HostResolver,
    /** Endpoints added in the console or API are limited to https and public addresses. */
    readonly restrictAddedEndpoints: boolean,
    /** The key for the secrets of console endpoints, read only when one is stored or used. */
    private readonly secretKey: () => Buffer,
  ) {}

  /** Encrypts and decrypts the signing secrets of console endpoints (stored in the database). */
  secrets(): SecretBox {
    this.box ??= new SecretBox(this.secretKey());
    return this.box;
  }

  /**
   * False only when no endpoint existed at the last look (start-up, then every few seconds while
   * serving, see `watchForEndpoints`) and none was added since by this process.
   */
  get mayHaveEndpoints(): boolean {
    return this.endpointsExist;
  }

  endpointAdded(): void {
    this.endpointsExist = true;
  }

  /**
   * Looks again every `everyMs` whether any endpoint exists, so an endpoint added through another
   * Handoff process on the same database is heard of within that time. Returns the stop function.
   */
  watchForEndpoints(pool: Pool, everyMs: number): () => void {
    const timer = setInterval(() => {
      countWebhookEndpoints(pool).then(
        (count) => {
          this.endpointsExist = count > 0;
        },
        () => undefined,
      );
    }, everyMs);
    timer.unref();
    return () => clearInterval(timer);
  }
}

/** Mirrors the configuration's endpoints into the database and tells whether any endpoint exists. */
export async function openWebhooks(
  pool: Pool,
  config: WebhooksConfig | undefined,
  resolveHost: HostResolver,
  now: number,
  secretKey: () => Buffer,
): Promise<Webhooks> {
  const endpoints = (config?.endpoints ?? []).map((endpoint) => ({
    name: endpoint.name,
    url: endpoint.url,
    events: endpoint.events === 'all' ? null : endpoint.events,
  }));
  await mirrorConfigEndpoints(pool, endpoints, now);
  return new Webhooks(
    (await countWebhookEndpoints(pool)) > 0,
    resolveHost,
    !(config?.allowPrivateNetworks ?? false),
    secretKey,
  );
}

/** What the sealed secret of a console endpoint is bound to. */
export const ENDPOINT_SECRET_CONTEXT = 'webhook_endpoints.secret';
