import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';
import { inject } from 'vitest';

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
