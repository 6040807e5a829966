import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { HandoffConfig } from '../../src/config/schema.ts';
import { JobWorker } from '../../src/adapters/jobs/job-worker.ts';
import {
  encodeForm,
  encodeJson,
  type SimulatedEvent,
  type SimulateOptions,
} from '../../src/adapters/sources/thrivecart/build-body.ts';
import type { HttpSettings } from '../../src/http/http-settings.ts';
import { buildServer } from '../../src/http/server.ts';
import { connectRuntime, type Runtime } from '../../src/main.ts';
import { createMigratedTestDatabase, type TestDatabase } from './database.ts';
import { FakeClock } from './fake-clock.ts';
import { testConfig } from './test-config.ts';
import { testDeliveryFields } from './test-delivery.ts';

export const ADMIN_TOKEN = 'test-admin-token';
/** The public URL this Handoff believes it has: links in its e-mails and pages start with it. */
export const PUBLIC_URL = 'https://handoff.test';

/**
 * A whole Handoff on a fresh database with a fake clock: the real server (driven with
 * `inject`, no socket), the real job worker (run by hand with `runJobs`), and helpers to send
 * ThriveCart deliveries and read the API.
 */
export interface TestHandoff {
  runtime: Runtime;
  server: FastifyInstance;
  worker: JobWorker;
  clock: FakeClock;
  database: TestDatabase;
  /** Sends a simulated ThriveCart delivery (form encoding unless `encoding: 'json'`), timed at the fake clock's now unless `occurredAt` says otherwise. */
  send(
    event: SimulatedEvent,
    options: Partial<SimulateOptions> & { email: string; item?: string },
    encoding?: 'form' | 'json',
  ): Promise<{ status: number; body: Record<string, unknown> }>;
  /** GET on the API with the admin token. */
  api<T = Record<string, unknown>>(path: string): Promise<{ status: number; body: T }>;
  /** Runs every job due at the fake clock's now. */
  runJobs(): Promise<number>;
  /** Stops this Handoff (server, worker, pool) and starts a new one on the same database, as a process restart would. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export async function startTestHandoff(
  options: { config?: HandoffConfig; clock?: FakeClock; http?: Partial<HttpSettings>; secretKey?: Buffer } = {},
): Promise<TestHandoff> {
  const database = await createMigratedTestDatabase();
  const clock = options.clock ?? new FakeClock();
  const log = pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' });
  // One key for the life of this Handoff, restarts included, as a data folder would keep it.
  const secretKey = options.secretKey ?? randomBytes(32);
  const boot = async (): Promise<Pick<TestHandoff, 'runtime' | 'server' | 'worker'>> => {
    const runtime = await connectRuntime({
      config: options.config ?? testConfig(),
      connectionString: database.connectionString,
      dataDir: '/nonexistent',
      log,
      clock,
      secretKey,
      publicUrl: PUBLIC_URL,
    });
    const server = buildServer(runtime.ctx, {
      adminToken: ADMIN_TOKEN,
      publicUrl: PUBLIC_URL,
      http: options.http,
    });
    await server.ready();
    const worker = new JobWorker(runtime.ctx.pool, clock, runtime.jobHandlers, log, { baseBackoffMs: 1_000 });
    return { runtime, server, worker };
  };

  const handoff: TestHandoff = {
    ...(await boot()),
    clock,
    database,
    async send(event, sendOptions, encoding = 'form') {
      const fields = testDeliveryFields(event, {
        occurredAt: new Date(clock.now()),
        ...sendOptions,
      });
      const response = await handoff.server.inject({
        method: 'POST',
        url: '/webhooks/thrivecart',
        headers: { 'content-type': encoding === 'json' ? 'application/json' : 'application/x-www-form-urlencoded' },
        payload: encoding === 'json' ? encodeJson(fields) : encodeForm(fields),
      });
      return { status: response.statusCode, body: response.json() };
    },
    async api(path) {
      const response = await handoff.server.inject({
        method: 'GET',
        url: path,
        headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
      });
      return { status: response.statusCode, body: response.json() };
    },
    runJobs: () => handoff.worker.runDue(),
    async restart() {
      await handoff.server.close();
      await handoff.runtime.close();
      Object.assign(handoff, await boot());
    },
    async close() {
      await handoff.server.close();
      await handoff.runtime.close();
      await database.drop();
    },
  };
  return handoff;
}
