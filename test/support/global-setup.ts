/**
 * vitest globalSetup: gives every test file an admin connection to a real PostgreSQL.
 * DATABASE_URL wins when set; otherwise one embedded server is started for the whole run, in a
 * fresh folder under the OS temp folder (whose ancestors the `postgres` user can enter when we
 * are root), and stopped at the end.
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from '../../src/adapters/store/embedded-postgres.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser connection string; tests create their own databases through it (see database.ts). */
    adminDatabaseUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    project.provide('adminDatabaseUrl', databaseUrl);
    return async () => undefined;
  }

  const dataDir = await mkdtemp(join(tmpdir(), 'handoff-test-'));
  // mkdtemp creates it 0700, which the `postgres` user could not enter when we run as root.
  await chmod(dataDir, 0o755);
  const server = await startEmbeddedPostgres({ dataDir });
  project.provide('adminDatabaseUrl', server.connectionString);
  return async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
