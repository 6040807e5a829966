import { randomBytes } from 'node:crypto';
import { Client, escapeIdentifier } from 'pg';

/** A database created on the run's server through its admin connection. */
export interface TestDatabase {
  name: string;
  connectionString: string;
  /** Disconnects whoever is still connected and drops the database. Safe to call twice. */
  drop(): Promise<void>;
}

/**
 * Creates a uniquely named database through `adminDatabaseUrl`: empty, or a copy of `template`.
 * Kept apart from database.ts (which needs vitest's worker state) so global-setup.ts can use it.
 */
export async function createDatabase(
  adminDatabaseUrl: string,
  prefix: string,
  template: string | null,
): Promise<TestDatabase> {
  const name = `${prefix}${randomBytes(6).toString('hex')}`;
  const copy = template === null ? '' : ` template ${escapeIdentifier(template)}`;
  await asAdmin(adminDatabaseUrl, `create database ${escapeIdentifier(name)}${copy}`);
  return {
    name,
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
