import { afterAll, beforeAll, inject } from 'vitest';
import { createPool, type Pool } from '../../src/adapters/store/database.ts';
import { createDatabase, type TestDatabase } from './admin-database.ts';

export type { TestDatabase } from './admin-database.ts';

const TEST_DATABASE_PREFIX = 'handoff_test_';

/**
 * Creates a fresh, uniquely named, empty database on the run's server (see global-setup.ts), so
 * test files can run in parallel without seeing each other's rows. For the tests of what a fresh
 * database goes through: migrations, a first start, a restore.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  return createDatabase(inject('adminDatabaseUrl'), TEST_DATABASE_PREFIX, null);
}

/**
 * A fresh database that holds Handoff's schema already: a copy of the run's migrated template
 * (global-setup.ts). Copying is one statement where applying every migration again cost each of
 * the run's hundreds of databases about 200 ms (docs/development.md, "Test run time").
 */
export async function createMigratedTestDatabase(): Promise<TestDatabase> {
  return createDatabase(inject('adminDatabaseUrl'), TEST_DATABASE_PREFIX, inject('migratedTemplateDatabase'));
}

/**
 * A fresh, migrated database for the tests of one file: registers its own beforeAll (create,
 * connect) and afterAll (disconnect, drop). `pool` and `connectionString` are set once
 * beforeAll has run.
 */
export function useMigratedDatabase(): { pool: Pool; connectionString: string } {
  const handle = {} as { pool: Pool; connectionString: string };
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createMigratedTestDatabase();
    handle.connectionString = database.connectionString;
    handle.pool = createPool(database.connectionString);
  });
  afterAll(async () => {
    await handle.pool?.end();
    await database?.drop();
  });
  return handle;
}
