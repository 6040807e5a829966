/**
 * vitest globalSetup: gives every test file an admin connection to a real PostgreSQL.
 * DATABASE_URL wins when set; otherwise one embedded server is started for the whole run, in a
 * fresh folder under the OS temp folder (whose ancestors the `postgres` user can enter when we
 * are root), and stopped at the end.
 */
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { createPool } from '../../src/adapters/store/database.ts';
import { startEmbeddedPostgres } from '../../src/adapters/store/embedded-postgres.ts';
import { migrate } from '../../src/adapters/store/migrate.ts';
import { createDatabase, type TestDatabase } from './admin-database.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A superuser connection string; tests create their own databases through it (see database.ts). */
    adminDatabaseUrl: string;
    /** A database holding every migration, for createMigratedTestDatabase to copy; gone at the end of the run. */
    migratedTemplateDatabase: string;
  }
}

const RUN_FOLDER_PREFIX = 'handoff-test-';
/** Holds the pid of the vitest process that owns a run folder, so later runs can tell abandoned ones. */
const OWNER_FILE = 'owner.pid';
const SHUTDOWN_WAIT_MS = 10_000;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const databaseUrl = process.env.DATABASE_URL;
  if (databaseUrl) {
    project.provide('adminDatabaseUrl', databaseUrl);
    // Another server outlives the run: the template is dropped at its end.
    return (await provideMigratedTemplate(project, databaseUrl)).drop;
  }

  await removeAbandonedRuns();
  const runFolder = await mkdtemp(join(tmpdir(), RUN_FOLDER_PREFIX));
  // mkdtemp creates it 0700, which the `postgres` user could not enter when we run as root.
  await chmod(runFolder, 0o755);
  await writeFile(join(runFolder, OWNER_FILE), String(process.pid));
  const server = await startEmbeddedPostgres({ dataDir: join(runFolder, 'data') });
  project.provide('adminDatabaseUrl', server.connectionString);
  // The run's own cluster, template included, is deleted at its end.
  await provideMigratedTemplate(project, server.connectionString);
  return async () => {
    await server.stop();
    await rm(runFolder, { recursive: true, force: true });
  };
}

/** Creates and migrates the run's template database once. */
async function provideMigratedTemplate(project: TestProject, adminDatabaseUrl: string): Promise<TestDatabase> {
  const template = await createDatabase(adminDatabaseUrl, 'handoff_template_', null);
  const pool = createPool(template.connectionString);
  try {
    await migrate(pool);
  } finally {
    // A database is copied only while nobody is connected to it.
    await pool.end();
  }
  project.provide('migratedTemplateDatabase', template.name);
  return template;
}

/**
 * The server outlives a vitest that is killed before its teardown (it is detached on purpose).
 * Such servers are shut down here, on the next run, once their owner is known to be gone; a
 * folder of a run still in progress (its owner alive) is left alone.
 */
async function removeAbandonedRuns(): Promise<void> {
  for (const name of await readdir(tmpdir())) {
    if (!name.startsWith(RUN_FOLDER_PREFIX)) continue;
    const runFolder = join(tmpdir(), name);
    const owner = await readFirstLineNumber(join(runFolder, OWNER_FILE));
    if (owner === undefined || processExists(owner)) continue;
    const pidFile = join(runFolder, 'data', 'pg', 'postmaster.pid');
    const postmaster = await readFirstLineNumber(pidFile);
    if (postmaster !== undefined && (await isPostgres(postmaster))) {
      // SIGINT is PostgreSQL's fast shutdown; it deletes its pid file last.
      process.kill(postmaster, 'SIGINT');
      if (!(await waitForRemoval(pidFile))) continue; // still shutting down: a later run retries
    }
    await rm(runFolder, { recursive: true, force: true });
  }
}

async function waitForRemoval(file: string): Promise<boolean> {
  const deadline = Date.now() + SHUTDOWN_WAIT_MS;
  while ((await readFirstLineNumber(file)) !== undefined) {
    if (Date.now() > deadline) return false;
    await new Promise((wake) => setTimeout(wake, 50));
  }
  return true;
}

/** Guards against signalling an unrelated process that got the pid of a server long gone. */
async function isPostgres(pid: number): Promise<boolean> {
  return processExists(pid) && (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() === 'postgres';
}

async function readFirstLineNumber(file: string): Promise<number | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const value = Number(text.split('\n')[0]);
  return Number.isInteger(value) && value > 0 ? value : undefined;
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return error instanceof Error && 'code' in error && error.code === 'EPERM';
  }
}
