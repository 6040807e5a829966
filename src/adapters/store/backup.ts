/**
 * Handoff's backups: every table of the database, read in one read-only REPEATABLE READ
 * transaction, so a backup taken while Handoff runs is one consistent snapshot (as pg_dump's is),
 * written as gzip'd JSON lines. It goes through the driver rather than pg_dump because the
 * embedded PostgreSQL package ships no pg_dump, and a pg_dump older than the server refuses to
 * dump it (the system's pg_dump is often older than the embedded PostgreSQL 17).
 *
 * File layout (docs/backups.md): a header line (BackupHeader), one line per row
 * (`{"table":…,"row":…}`, tables parents first), and a trailer line (BackupTrailer) with the row
 * count of every table and the sequences' positions. A file without its trailer was cut off.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { pipeline } from 'node:stream/promises';
import { createGunzip, createGzip } from 'node:zlib';
import { escapeIdentifier, type PoolClient } from 'pg';
import { BackupError } from './backup-error.ts';
import { HANDOFF_APPLICATION_NAME, type Pool, type Queryable } from './database.ts';
import { knownMigrations, migrate } from './migrate.ts';

export const BACKUP_FORMAT = 'handoff-backup';
const BACKUP_VERSION = 1;
const ROWS_PER_FETCH = 500;
const ROWS_PER_INSERT = 500;
/** Bookkeeping of migrate(), rebuilt by it rather than copied. */
const MIGRATIONS_TABLE = 'schema_migrations';

export interface BackupHeader {
  format: typeof BACKUP_FORMAT;
  version: number;
  createdAt: string;
  /** The migrations the database had: a restore rebuilds exactly that schema before loading rows. */
  migrations: string[];
  /** The data folder's key for secrets stored in the database (base64), when it came from there. */
  secretKey?: string;
}

interface BackupTrailer {
  end: true;
  rows: Record<string, number>;
  sequences: { name: string; lastValue: number; isCalled: boolean }[];
}

/**
 * Writes a backup of the database to `file` (mode 600: it holds personal data), through a
 * temporary file renamed at the end, so a backup interrupted half-way never looks complete.
 * Returns the row count of each table.
 */
export async function writeBackup(
  pool: Pool,
  file: string,
  extra: Pick<BackupHeader, 'secretKey'> = {},
): Promise<Record<string, number>> {
  const partial = `${file}.partial`;
  const client = await pool.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const header: BackupHeader = {
      format: BACKUP_FORMAT,
      version: BACKUP_VERSION,
      createdAt: new Date().toISOString(),
      migrations: await appliedMigrations(client),
      ...extra,
    };
    const trailer: BackupTrailer = { end: true, rows: {}, sequences: [] };
    async function* lines(): AsyncGenerator<string> {
      yield `${JSON.stringify(header)}\n`;
      for (const table of await tablesParentsFirst(client)) {
        trailer.rows[table] = 0;
        for await (const row of readRows(client, table)) {
          trailer.rows[table] += 1;
          yield `{"table":${JSON.stringify(table)},"row":${row}}\n`;
        }
      }
      // Read last: a sequence is not part of the snapshot, so it is at least as far as any id read.
      trailer.sequences = await sequencePositions(client);
      yield `${JSON.stringify(trailer)}\n`;
    }
    await pipeline(lines, createGzip(), createWriteStream(partial, { mode: 0o600 }));
    const written = await open(partial, 'r+');
    await written.sync().finally(() => written.close());
    await rename(partial, file);
    return trailer.rows;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    await client.query('rollback').catch(() => undefined);
    client.release();
  }
}

async function appliedMigrations(db: Queryable): Promise<string[]> {
  if (!(await hasMigrationsTable(db)))
    throw new BackupError('This database holds no Handoff data (it was never migrated): there is nothing to back up.');
  const result = await db.query<{ name: string }>(`select name from ${MIGRATIONS_TABLE} order by name`);
  return result.rows.map((row) => row.name);
}

async function hasMigrationsTable(db: Queryable): Promise<boolean> {
  const result = await db.query('select 1 from pg_tables where schemaname = current_schema() and tablename = $1', [
    MIGRATIONS_TABLE,
  ]);
  return result.rowCount === 1;
}

/** Each row as the JSON text of `to_jsonb`, which every column type survives (bytea as hex, times with their zone). */
async function* readRows(client: PoolClient, table: string): AsyncGenerator<string> {
  await client.query(
    `declare backup_rows no scroll cursor for select to_jsonb(t)::text as row from ${escapeIdentifier(table)} t`,
  );
  try {
    for (;;) {
      const batch = await client.query<{ row: string }>(`fetch ${ROWS_PER_FETCH} from backup_rows`);
      for (const { row } of batch.rows) yield row;
      if (batch.rows.length < ROWS_PER_FETCH) return;
    }
  } finally {
    await client.query('close backup_rows');
  }
}

/** Handoff's tables (but the migrations' own), each after the tables its foreign keys point to. */
async function tablesParentsFirst(db: Queryable): Promise<string[]> {
  const tables = await db.query<{ name: string }>(
    `select tablename as name from pg_tables where schemaname = current_schema() and tablename <> $1 order by tablename`,
    [MIGRATIONS_TABLE],
  );
  const references = await db.query<{ child: string; parent: string }>(
    `select child.relname as child, parent.relname as parent
       from pg_constraint k
       join pg_class child on child.oid = k.conrelid
       join pg_class parent on parent.oid = k.confrelid
      where k.contype = 'f' and child.relnamespace = current_schema()::regnamespace`,
  );
  const ordered: string[] = [];
  const visit = (table: string): void => {
    if (ordered.includes(table)) return;
    for (const { child, parent } of references.rows) if (child === table && parent !== table) visit(parent);
    ordered.push(table);
  };
  for (const { name } of tables.rows) visit(name);
  return ordered;
}

async function sequencePositions(db: Queryable): Promise<BackupTrailer['sequences']> {
  const sequences = await db.query<{ name: string }>(
    `select sequencename as name from pg_sequences where schemaname = current_schema() order by sequencename`,
  );
  const positions: BackupTrailer['sequences'] = [];
  for (const { name } of sequences.rows) {
    const position = await db.query<{ last_value: string; is_called: boolean }>(
      `select last_value, is_called from ${escapeIdentifier(name)}`,
    );
    const { last_value: lastValue, is_called: isCalled } = position.rows[0]!;
    positions.push({ name, lastValue: Number(lastValue), isCalled });
  }
  return positions;
}

/** What the target database already holds, table by table (only tables with rows). */
export async function storedRows(pool: Pool): Promise<Record<string, number>> {
  if (!(await hasMigrationsTable(pool))) return {};
  const counts: Record<string, number> = {};
  for (const table of await tablesParentsFirst(pool)) {
    const result = await pool.query<{ rows: number }>(
      `select count(*)::int as rows from ${escapeIdentifier(table)} where ${SEEDED_ROWS[table] ?? 'true'}`,
    );
    if (result.rows[0]!.rows > 0) counts[table] = result.rows[0]!.rows;
  }
  return counts;
}

/**
 * Rows a database has without holding anyone's data: written by a migration (the erasure salt)
 * or mirrored from the configuration file at start-up (its webhook endpoints). The condition
 * selects the rows that do count as data.
 */
const SEEDED_ROWS: Record<string, string> = {
  installation_settings: 'false',
  webhook_endpoints: "source <> 'config'",
};

/**
 * Reads the header of a backup file, checking it is one this Handoff can restore: made by
 * Handoff, in a format it knows, with no migration it does not know (a newer Handoff's).
 */
export async function readBackupHeader(file: string): Promise<BackupHeader> {
  const lines = backupLines(file);
  try {
    const first = await lines.next();
    return checkedHeader(first.done ? '' : first.value, file);
  } finally {
    await lines.return(undefined);
  }
}

function checkedHeader(line: string, file: string): BackupHeader {
  const header = parseJson(line) as Partial<BackupHeader> | undefined;
  if (header?.format !== BACKUP_FORMAT || !Array.isArray(header.migrations))
    throw new BackupError(`${file} is not a Handoff backup (made by \`handoff backup\`).`);
  if (header.version !== BACKUP_VERSION)
    throw new BackupError(
      `${file} is a backup in format ${header.version}; this Handoff reads format ${BACKUP_VERSION}.`,
    );
  const known = new Set(knownMigrations());
  const unknown = header.migrations.filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new BackupError(
      `${file} was made by a newer Handoff (its database has ${unknown.join(', ')}): upgrade Handoff, then restore.`,
    );
  return header as BackupHeader;
}

/**
 * Replaces everything in the database with the backup, in one transaction: the schema is first
 * brought to the backup's migrations, the rows loaded and checked against the trailer, the
 * sequences put back; then the migrations the backup did not have yet are applied. The caller
 * checks that the database may be overwritten (storedRows).
 */
export async function restoreBackup(pool: Pool, file: string): Promise<Record<string, number>> {
  const header = await readBackupHeader(file);
  const applied = (await hasMigrationsTable(pool)) ? await appliedMigrations(pool) : [];
  const newer = applied.filter((name) => !header.migrations.includes(name));
  if (newer.length > 0)
    throw new BackupError(
      `This database is already on a newer schema than the backup (${newer.join(', ')}). Restore into a fresh data folder or an empty database; Handoff upgrades the restored data when it starts.`,
    );
  await migrate(pool, new Set(header.migrations));
  const client = await pool.connect();
  try {
    await client.query('begin');
    const rows = await loadRows(client, file);
    await client.query('commit');
    await migrate(pool);
    return rows;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}

async function loadRows(client: PoolClient, file: string): Promise<Record<string, number>> {
  const tables = await tablesParentsFirst(client);
  await client.query(`truncate ${tables.map(escapeIdentifier).join(', ')} restart identity`);
  const loaded: Record<string, number> = {};
  let batch: { table: string; rows: unknown[] } | undefined;
  const flush = async (): Promise<void> => {
    if (!batch || batch.rows.length === 0) return;
    const table = escapeIdentifier(batch.table);
    await client.query(`insert into ${table} select * from jsonb_populate_recordset(null::${table}, $1::jsonb)`, [
      JSON.stringify(batch.rows),
    ]);
    loaded[batch.table] = (loaded[batch.table] ?? 0) + batch.rows.length;
    batch.rows = [];
  };
  let trailer: BackupTrailer | undefined;
  let lineNumber = 0;
  for await (const line of backupLines(file)) {
    lineNumber += 1;
    if (lineNumber === 1 || line === '') continue;
    const entry = parseJson(line) as { table?: string; row?: unknown; end?: true } | undefined;
    if (trailer || entry === undefined)
      throw new BackupError(`${file} is damaged at line ${lineNumber}: nothing was restored.`);
    if (entry.end) {
      trailer = entry as BackupTrailer;
      continue;
    }
    if (typeof entry.table !== 'string' || !tables.includes(entry.table))
      throw new BackupError(`${file} has rows for an unknown table at line ${lineNumber}: nothing was restored.`);
    if (batch?.table !== entry.table) {
      await flush();
      batch = { table: entry.table, rows: [] };
    }
    batch.rows.push(entry.row);
    if (batch.rows.length >= ROWS_PER_INSERT) await flush();
  }
  await flush();
  if (!trailer)
    throw new BackupError(`${file} is cut off (its last line is missing): nothing was restored. Use another backup.`);
  for (const [table, count] of Object.entries(trailer.rows))
    if ((loaded[table] ?? 0) !== count)
      throw new BackupError(
        `${file} should hold ${count} rows of ${table} but holds ${loaded[table] ?? 0}: nothing was restored.`,
      );
  for (const { name, lastValue, isCalled } of trailer.sequences)
    await client.query('select setval($1::regclass, $2, $3)', [escapeIdentifier(name), lastValue, isCalled]);
  return trailer.rows;
}

/** The lines of a gzip'd backup file. */
async function* backupLines(file: string): AsyncGenerator<string> {
  const source = createReadStream(file);
  const input = source.pipe(createGunzip());
  source.on('error', (error) => input.destroy(error));
  const reader = createInterface({ input, crlfDelay: Infinity });
  // A missing file, a file that is not gzip or a cut-off one fails the stream, not the reader.
  const failed = once(input, 'error').then(([error]: unknown[]) => {
    throw readFailure(error, file);
  });
  failed.catch(() => undefined);
  try {
    const iterator = reader[Symbol.asyncIterator]();
    for (;;) {
      const next = await Promise.race([iterator.next(), failed]);
      if (next.done) return;
      yield next.value;
    }
  } finally {
    reader.close();
    input.destroy();
  }
}

function readFailure(error: unknown, file: string): unknown {
  const code = error instanceof Error && 'code' in error ? error.code : undefined;
  if (code === 'ENOENT') return new BackupError(`There is no file ${file}.`);
  if (code === 'Z_DATA_ERROR') return new BackupError(`${file} is not a Handoff backup (not a gzip file).`);
  if (code === 'Z_BUF_ERROR')
    return new BackupError(`${file} is cut off (it ends early): nothing was restored. Use another backup.`);
  return error;
}

function parseJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return undefined;
  }
}

/**
 * How many connections Handoff (the server or one of its commands, HANDOFF_APPLICATION_NAME) holds
 * to this database right now. A running server always holds some: its job worker polls.
 */
export async function handoffConnections(pool: Pool): Promise<number> {
  const result = await pool.query<{ count: number }>(
    `select count(*)::int as count from pg_stat_activity
      where datname = current_database() and application_name = $1`,
    [HANDOFF_APPLICATION_NAME],
  );
  return result.rows[0]!.count;
}
