/**
 * Everything CRM sync needs, built once from the configuration, and its wiring into the job
 * worker: one sync job kind per configured CRM (so one failing CRM never holds another back) and
 * the AccessAlly notification job.
 */
import type { HandoffConfig } from '../../config/schema.ts';
import { managedTags } from '../../core/tag-sync/managed-tags.ts';
import { accessAllyCallShapeFor, type AccessAllyCallShape } from '../../adapters/accessally/accessally-request.ts';
import { registerCrmConnectors } from '../../adapters/store/crm-connectors.ts';
import { releaseHeldJobs } from '../../adapters/jobs/release-held-jobs.ts';
import type { AppContext } from '../context.ts';
import { crmErasureJobKind, openCrmConnections, type CrmConnection } from './crm-connections.ts';
import { eraseFromCrm } from './erase-from-crm.ts';
import { ACCESSALLY_NOTIFY_JOB, notifyAccessAlly } from './notify-accessally.ts';
import { syncContactToCrm } from './sync-contact.ts';
import { bulkCheckJobKind, checkBulkImport } from './bulk-import-check.ts';
import { holdWhilePaused } from './connector-pause.ts';
import type { JobHandler } from '../../ports/jobs.ts';

export interface AccessAllyTarget {
  /** aal_updateuser: refreshes an existing user's tags. */
  webhookUrl: string;
  /** aal_genpass: creates the WordPress user at a person's first access; null when not configured. */
  newUserWebhookUrl: string | null;
  /** The connection whose contact ids AccessAlly knows. */
  connection: string;
  /** What each call carries: what that CRM's own call to AccessAlly carries. */
  callShape: AccessAllyCallShape;
}

export interface CrmSync {
  connections: CrmConnection[];
  /** The tags sync may add or remove; every other tag in a CRM is left alone. */
  managedTags: ReadonlySet<string>;
  /** The offerings' access tags: at a launch they go to the CRM before every other change. */
  accessTags: ReadonlySet<string>;
  /** Access and revoke tags: a CRM contact holding one had access to an offering before. */
  offeringTags: ReadonlySet<string>;
  accessAlly: AccessAllyTarget | null;
}

export function createCrmSync(
  config: Pick<HandoffConfig, 'crm' | 'accessally' | 'offerings' | 'items' | 'dunning'>,
  fetchImpl?: typeof fetch,
): CrmSync {
  const connections = openCrmConnections(config.crm, fetchImpl);
  let accessAlly: AccessAllyTarget | null = null;
  if (config.accessally) {
    // The config schema guarantees the named CRM exists, or that there is exactly one.
    const connection = connections.find((candidate) => candidate.name === (config.accessally?.crm ?? candidate.name))!;
    // The config schema refuses a CRM AccessAlly does not work with, and overrides that do not apply to it.
    const shaped = accessAllyCallShapeFor(connection.provider, config.accessally);
    if (!('shape' in shaped)) throw new Error(shaped.problem);
    accessAlly = {
      webhookUrl: config.accessally.webhookUrl,
      newUserWebhookUrl: config.accessally.newUserWebhookUrl ?? null,
      connection: connection.name,
      callShape: shaped.shape,
    };
  }
  return {
    connections,
    managedTags: managedTags(config),
    accessTags: new Set(config.offerings.map((offering) => offering.accessTag)),
    offeringTags: new Set(config.offerings.flatMap((offering) => [offering.accessTag, offering.revokeTag])),
    accessAlly,
  };
}

/** The job kinds to enqueue whenever a contact's tags or access change. */
export function crmJobKinds(sync: CrmSync): string[] {
  return sync.connections.map((connection) => connection.syncJobKind);
}

export function crmJobHandlers(ctx: AppContext, sync: CrmSync): Record<string, JobHandler> {
  const handlers: Record<string, JobHandler> = {};
  for (const connection of sync.connections) {
    // Every job that talks to a CRM waits while its connector is paused for refused credentials.
    const unlessPaused =
      (run: JobHandler): JobHandler =>
      async (job) =>
        (await holdWhilePaused(ctx, connection)) ?? run(job);
    handlers[connection.syncJobKind] = unlessPaused((job) => syncContactToCrm(ctx, sync, connection, job));
    handlers[crmErasureJobKind(connection.name)] = unlessPaused((job) => eraseFromCrm(ctx, connection, job));
    handlers[bulkCheckJobKind(connection.name)] = unlessPaused((job) => checkBulkImport(ctx, connection, job));
  }
  const accessAlly = sync.accessAlly;
  if (accessAlly) handlers[ACCESSALLY_NOTIFY_JOB] = (job) => notifyAccessAlly(ctx, accessAlly, job);
  return handlers;
}

/**
 * Records the configured connectors at start. A connector paused for refused credentials whose
 * config entry changed since is resumed at once, with the jobs it held.
 */
export async function registerCrmSync(ctx: AppContext, sync: CrmSync): Promise<void> {
  const now = ctx.clock.now();
  const resumed = await registerCrmConnectors(
    ctx.pool,
    sync.connections.map((connection) => ({ name: connection.name, fingerprint: connection.credentialsFingerprint })),
    now,
  );
  for (const connection of sync.connections) {
    if (!resumed.includes(connection.name)) continue;
    ctx.log.info({ connector: connection.name }, 'CRM credentials changed: connector resumed');
    await releaseHeldJobs(ctx.pool, connection.syncJobKind, now);
  }
}
