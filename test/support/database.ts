import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { createPool, type Pool } from '../../src/adapters/store/database.ts';
import { migrate } from '../../src/adapters/store/migrate.ts';

export interface TestDatabase {
  connectionString: string;
  /** Disconnects whoever is still connected and drops the database. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates a fresh, uniquely named database on the run's server (see global-setup.ts), so test
 * files can run in parallel without seeing each other's rows.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const adminDatabaseUrl = inject('adminDatabaseUrl');
  const name = `handoff_test_${randomBytes(6).toString('hex')}`;
  await asAdmin(adminDatabaseUrl, `create database ${escapeIdentifier(name)}`);
  return {
    connectionString: withDatabaseName(adminDatabaseUrl, name),
    // WITH (FORCE) terminates the remaining connections first (PostgreSQL 13+).
    drop: () => asAdmin(adminDatabaseUrl, `drop database if exists ${escapeIdentifier(name)} with (force)`),
  };
}

async function asAdmin(adminDatabaseUrl: string, statement: string): Promise<void> {
  const client = new Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Replaces the path of a postgres URL. Done on the text rather than with `URL`, which rejects
 * the empty host of a socket URL (`postgresql://user@/db?host=/run/dir`).
 */
function withDatabaseName(connectionString: string, databaseName: string): string {
  const parts = /^(postgres(?:ql)?:\/\/[^/?#]*)(?:\/[^?#]*)?(.*)$/.exec(connectionString);
  if (!parts) throw new Error(`Not a postgres:// or postgresql:// URL: ${connectionString}`);
  return `${parts[1]}/${encodeURIComponent(databaseName)}${parts[2]}`;
}

/**
 * A fresh, migrated database for the tests of one file: registers its own beforeAll (create,
 * connect, migrate) and afterAll (disconnect, drop). `pool` and `connectionString` are set once
 * beforeAll has run.
 */
export function useMigratedDatabase(): { pool: Pool; connectionString: string } {
  const handle = {} as { pool: Pool; connectionString: string };
  let database: TestDatabase | undefined;
  beforeAll(async () => {
    database = await createTestDatabase();
    handle.connectionString = database.connectionString;
    handle.pool = createPool(database.connectionString);
    await migrate(handle.pool);
  });
  afterAll(async () => {
    await handle.pool?.end();
    await database?.drop();
  });
  return handle;
}
