/**
 * The composition root: the only place that builds adapters and wires them to the use-cases.
 * The CLI (src/cli) and the tests start Handoff through these functions.
 */
import { resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { AppContext } from './app/context.ts';
import { createStoredAccessLoader } from './app/contacts/stored-access-loader.ts';
import { DeliveryIds } from './adapters/store/delivery-ids.ts';
import { CONTACT_RECOMPUTE_JOB } from './app/ledger/job-kinds.ts';
import { recomputeContact } from './app/ledger/recompute-contact.ts';
import { createCrmSync, crmJobHandlers, crmJobKinds, registerCrmSync, type CrmSync } from './app/crm/crm-sync.ts';
import { DUNNING_EMAIL_JOB, sendDunningEmail } from './app/dunning/send-dunning-email.ts';
import { deliverWebhook } from './app/webhooks/deliver-webhook.ts';
import { WEBHOOK_DELIVERY_JOB } from './app/webhooks/webhook-job-kind.ts';
import { openWebhooks } from './app/webhooks/webhooks.ts';
import { TeamLinks } from './app/teams/team-links.ts';
import {
  sendLeaderEmail,
  sendMemberEmail,
  TEAM_LEADER_EMAIL_JOB,
  TEAM_MEMBER_EMAIL_JOB,
} from './app/teams/send-team-email.ts';
import { resolveAdminToken, type AdminToken } from './config/admin-token.ts';
import { refuseDemoSecretBeyondLocalhost } from './config/demo-secret.ts';
import { loadConfig } from './config/load-config.ts';
import { resolveSecretKey } from './config/secret-key.ts';
import type { HandoffConfig } from './config/schema.ts';
import { ledgerRules } from './core/ledger/rules.ts';
import { JobWorker } from './adapters/jobs/job-worker.ts';
import { createLogger } from './adapters/log/logger.ts';
import { createMailer } from './adapters/mail/create-mailer.ts';
import { createPool } from './adapters/store/database.ts';
import { startEmbeddedPostgres, type EmbeddedPostgres } from './adapters/store/embedded-postgres.ts';
import { migrate } from './adapters/store/migrate.ts';
import { systemResolver, type HostResolver } from './adapters/webhooks/host-resolver.ts';
import { httpSettingsFromEnv } from './http/http-settings.ts';
import { buildServer } from './http/server.ts';
import { systemClock, type Clock } from './ports/clock.ts';
import { ThriveCartApi } from './adapters/sources/thrivecart/api-client.ts';
import type { JobHandler } from './ports/jobs.ts';
import {
  runReconcileJob,
  scheduleThriveCartReconcile,
  THRIVECART_RECONCILE_JOB,
} from './app/thrivecart/scheduled-reconcile.ts';
import { runImportJob, THRIVECART_IMPORT_JOB } from './app/thrivecart/import-job.ts';

/** ThriveCart's API for import and reconcile, or null when `thrivecart.apiKey` is not set. */
export function thrivecartApiFor(
  ctx: AppContext,
  wait: (ms: number) => Promise<void> = (ms) => new Promise((done) => setTimeout(done, ms)),
): ThriveCartApi | null {
  const { apiKey, apiUrl, account } = ctx.config.thrivecart;
  return apiKey === undefined
    ? null
    : new ThriveCartApi({ apiKey, apiUrl, account, pool: ctx.pool, clock: ctx.clock, wait });
}

/** The console import's handler, and the scheduled reconcile's when the API is configured (app/thrivecart). */
function thrivecartJobHandlers(ctx: AppContext): Record<string, JobHandler> {
  const api = thrivecartApiFor(ctx);
  // A CSV import needs no API key; an import from the API says it needs one.
  const importJob: JobHandler = (job) => runImportJob(ctx, api, job);
  return api === null
    ? { [THRIVECART_IMPORT_JOB]: importJob }
    : { [THRIVECART_RECONCILE_JOB]: (job) => runReconcileJob(ctx, api, job), [THRIVECART_IMPORT_JOB]: importJob };
}

export interface Runtime {
  ctx: AppContext;
  /** Null when DATABASE_URL points at an existing PostgreSQL. */
  embedded: EmbeddedPostgres | null;
  dataDir: string;
  /** The job handlers this configuration needs, by job kind. */
  jobHandlers: Record<string, JobHandler>;
  /** The configured CRMs (reconcile and doctor use them outside jobs). */
  crm: CrmSync;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  config: HandoffConfig;
  connectionString: string;
  dataDir: string;
  log?: Logger;
  clock?: Clock;
  poolSize?: number;
  /** How outbound webhook hosts are resolved (tests answer DNS themselves). */
  resolveHost?: HostResolver;
  /** The key for secrets stored in the database; default HANDOFF_SECRET_KEY, else `<dataDir>/secret-key`. */
  secretKey?: Buffer;
  /** The public base URL links in e-mails start with; default as `serve` computes it (publicUrlOf). */
  publicUrl?: string;
}

/** HANDOFF_PUBLIC_URL, else http://localhost:<port>; never with a trailing slash. */
export function publicUrlOf(env: NodeJS.ProcessEnv, port: number): string {
  return (env.HANDOFF_PUBLIC_URL ?? `http://localhost:${port}`).replace(/\/+$/, '');
}

/** Connects to a database, migrates it and wires the use-cases. */
export async function connectRuntime(options: RuntimeOptions): Promise<Runtime> {
  const log = options.log ?? createLogger();
  const pool = createPool(options.connectionString, options.poolSize, (error) =>
    log.warn({ error: error.message }, 'a database connection was lost; the next query opens a new one'),
  );
  const clock = options.clock ?? systemClock;
  const secretKey = (): Buffer => options.secretKey ?? resolveSecretKey(process.env, options.dataDir);
  const webhooks = await migrate(pool)
    .then(() =>
      openWebhooks(pool, options.config.webhooks, options.resolveHost ?? systemResolver, clock.now(), secretKey),
    )
    .catch(async (error: unknown) => {
      await pool.end();
      throw error;
    });
  const crm = createCrmSync(options.config);
  const ctx: AppContext = {
    pool,
    clock,
    config: options.config,
    rules: ledgerRules(options.config),
    log,
    onContactChanged: crmJobKinds(crm),
    onTeamOpened: [TEAM_LEADER_EMAIL_JOB],
    webhooks,
    storedAccess: createStoredAccessLoader(pool),
    deliveryIds: new DeliveryIds(pool),
    teamLinks: new TeamLinks(
      secretKey,
      options.publicUrl ?? publicUrlOf(process.env, Number(process.env.PORT ?? 3000)),
    ),
  };
  await registerCrmSync(ctx, crm).catch(async (error: unknown) => {
    await pool.end();
    throw error;
  });
  const mailer = createMailer(options.config, log);
  const jobHandlers: Record<string, JobHandler> = {
    [CONTACT_RECOMPUTE_JOB]: (job) => recomputeContact(ctx, job),
    [DUNNING_EMAIL_JOB]: (job) => sendDunningEmail(ctx, mailer, job),
    [WEBHOOK_DELIVERY_JOB]: (job) => deliverWebhook(ctx, job),
    [TEAM_LEADER_EMAIL_JOB]: (job) => sendLeaderEmail(ctx, mailer, job),
    [TEAM_MEMBER_EMAIL_JOB]: (job) => sendMemberEmail(ctx, mailer, job),
    ...crmJobHandlers(ctx, crm),
    ...thrivecartJobHandlers(ctx),
  };
  return { ctx, embedded: null, dataDir: options.dataDir, jobHandlers, crm, close: () => pool.end() };
}

/** Where Handoff's data lives: a database, and the data folder (secret key, admin token, embedded cluster). */
export interface DatabaseLocation {
  connectionString: string;
  /** Null when DATABASE_URL points at an existing PostgreSQL. */
  embedded: EmbeddedPostgres | null;
  dataDir: string;
}

/**
 * The database named by DATABASE_URL, or else the embedded PostgreSQL of HANDOFF_DATA_DIR
 * (default ./data), started or reused (a server another Handoff runs stays theirs).
 */
export async function openDatabase(env: NodeJS.ProcessEnv, log: Logger): Promise<DatabaseLocation> {
  const dataDir = resolve(env.HANDOFF_DATA_DIR ?? './data');
  if (env.DATABASE_URL) return { connectionString: env.DATABASE_URL, embedded: null, dataDir };
  const embedded = await startEmbeddedPostgres({
    dataDir,
    log: (message) => log.debug({ postgres: message.trim() }, 'embedded postgres'),
  });
  return { connectionString: embedded.connectionString, embedded, dataDir };
}

/**
 * Loads the configuration and opens the database named by DATABASE_URL, or else Handoff's own
 * embedded PostgreSQL in HANDOFF_DATA_DIR (default ./data).
 */
export async function openRuntime(options: {
  configPath: string;
  env?: NodeJS.ProcessEnv;
  log?: Logger;
}): Promise<Runtime> {
  const env = options.env ?? process.env;
  const log = options.log ?? createLogger();
  const config = loadConfig(options.configPath, env);
  const { embedded, dataDir, connectionString } = await openDatabase(env, log);
  try {
    const runtime = await connectRuntime({ config, connectionString, dataDir, log });
    return {
      ...runtime,
      embedded,
      close: async () => {
        await runtime.close();
        await embedded?.stop();
      },
    };
  } catch (error) {
    await embedded?.stop();
    throw error;
  }
}

export interface Service {
  server: FastifyInstance;
  worker: JobWorker;
  adminToken: AdminToken;
  /** The address the server listens on, e.g. http://127.0.0.1:3000. */
  address: string;
  /** The public base URL (HANDOFF_PUBLIC_URL, else http://localhost:<port>). */
  publicUrl: string;
  /** Stops taking requests, lets jobs in flight finish, then closes the database. */
  stop(): Promise<void>;
}

/** How soon a webhook endpoint added through another process on the same database is heard of. */
const ENDPOINT_LOOK_MS = 2_000;

/** Serves HTTP and runs the job worker on an open runtime. */
export async function startService(
  runtime: Runtime,
  options: { port: number; host: string; env?: NodeJS.ProcessEnv },
): Promise<Service> {
  const env = options.env ?? process.env;
  let adminToken: AdminToken;
  let http: ReturnType<typeof httpSettingsFromEnv>;
  try {
    // Settings that would leave the service open to anyone: refuse before listening.
    refuseDemoSecretBeyondLocalhost(runtime.ctx.config.thrivecart, { host: options.host, nodeEnv: env.NODE_ENV });
    adminToken = resolveAdminToken(env, runtime.dataDir);
    http = httpSettingsFromEnv(env);
    await scheduleThriveCartReconcile(runtime.ctx);
  } catch (error) {
    await runtime.close();
    throw error;
  }
  const publicUrl = publicUrlOf(env, options.port);
  const server = buildServer(runtime.ctx, {
    adminToken: adminToken.token,
    publicUrl,
    metricsToken: env.HANDOFF_METRICS_TOKEN || undefined,
    http,
  });
  const worker = new JobWorker(runtime.ctx.pool, runtime.ctx.clock, runtime.jobHandlers, runtime.ctx.log);
  const address = await server.listen({ port: options.port, host: options.host });
  worker.start();
  // A long-running service brings its embedded PostgreSQL back if it dies; a CLI command does not.
  runtime.embedded?.supervise({
    warn: (message) => runtime.ctx.log.warn(message),
    error: (message) => runtime.ctx.log.error(message),
  });
  const stopWatchingEndpoints = runtime.ctx.webhooks.watchForEndpoints(runtime.ctx.pool, ENDPOINT_LOOK_MS);
  return {
    server,
    worker,
    adminToken,
    address,
    publicUrl,
    stop: async () => {
      stopWatchingEndpoints();
      await server.close();
      await worker.stop();
      await runtime.close();
    },
  };
}
