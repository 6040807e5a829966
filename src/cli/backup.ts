import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { dataFolderKeyPath, secretKeyFromEnvironment } from '../config/secret-key.ts';
import { createLogger } from '../adapters/log/logger.ts';
import { BackupError } from '../adapters/store/backup-error.ts';
import {
  handoffConnections,
  readBackupHeader,
  restoreBackup,
  storedRows,
  writeBackup,
  type BackupHeader,
} from '../adapters/store/backup.ts';
import { createPool } from '../adapters/store/database.ts';
import { openDatabase, type DatabaseLocation } from '../main.ts';

export function registerBackupCommands(program: Command): void {
  program
    .command('backup')
    .description(
      'write a consistent backup of the database to a file, safe while Handoff runs (DATABASE_URL, HANDOFF_DATA_DIR)',
    )
    .option('-o, --output <file>', 'where to write it (default: <data folder>/backups/handoff-<UTC time>.backup.gz)')
    .action(async (flags: { output?: string }) => {
      await withDatabase(async (database, pool) => {
        const file = resolve(flags.output ?? defaultBackupFile(database.dataDir));
        mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
        const startedAt = Date.now();
        const rows = await writeBackup(pool, file, dataFolderKey(database.dataDir));
        console.log(`Backed up ${describeRows(rows)} to ${file} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s.`);
      });
    });

  program
    .command('restore')
    .description(
      'bring a backup back into the database (a fresh data folder, or the empty database of DATABASE_URL); stop Handoff first',
    )
    .argument('<file>', 'a file written by `handoff backup`')
    .option('--force', 'replace everything the database holds with the backup')
    .action(async (file: string, flags: { force?: boolean }) => {
      const header = await readBackupHeader(resolve(file));
      await withDatabase(async (database, pool) => {
        await refuseUnderRunningHandoff(database, pool);
        const held = await storedRows(pool);
        if (Object.keys(held).length > 0 && flags.force !== true)
          throw new BackupError(
            `${capitalized(where(database))} already holds data (${describeRows(held)}); nothing was restored. Restore into a fresh data folder (HANDOFF_DATA_DIR) or an empty database, or run again with --force to replace what it holds with the backup.`,
          );
        const keyToWrite = secretKeyToRestore(header, database.dataDir, flags.force === true);
        const rows = await restoreBackup(pool, resolve(file));
        if (keyToWrite) writeFileSync(keyToWrite.path, `${keyToWrite.key}\n`, { mode: 0o600 });
        console.log(
          `Restored ${describeRows(rows)} from the backup of ${header.createdAt} into ${where(database)}. Start Handoff on it as usual.`,
        );
      });
    });
}

async function withDatabase(
  work: (database: DatabaseLocation, pool: ReturnType<typeof createPool>) => Promise<void>,
): Promise<void> {
  const database = await openDatabase(process.env, createLogger());
  // Named apart from Handoff's own connections, which restore looks for.
  const pool = createPool(database.connectionString, 2, undefined, 'handoff backup');
  try {
    await work(database, pool);
  } finally {
    await pool.end();
    await database.embedded?.stop();
  }
}

/**
 * A restore replaces the tables under whoever uses them: a running Handoff would keep answering
 * from, and writing into, a database being swapped. It is running when it owns the embedded
 * PostgreSQL this command found already started (its postmaster.pid names a live process), or when
 * it holds connections to the database (application_name `handoff`). --force does not override this.
 */
async function refuseUnderRunningHandoff(
  database: DatabaseLocation,
  pool: ReturnType<typeof createPool>,
): Promise<void> {
  const ownedByAnother = database.embedded !== null && !database.embedded.startedHere && !database.embedded.adopted;
  if (ownedByAnother || (await handoffConnections(pool)) > 0)
    throw new BackupError(
      `Handoff is running on ${where(database)}: stop it first (e.g. systemctl stop handoff), then run restore again; nothing was restored.`,
    );
}

function defaultBackupFile(dataDir: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return join(dataDir, 'backups', `handoff-${stamp}.backup.gz`);
}

/**
 * Secrets stored in the database (webhook endpoints added in the console) are encrypted with the
 * data folder's key unless HANDOFF_SECRET_KEY is set; a backup without that key could not use them.
 */
function dataFolderKey(dataDir: string): Pick<BackupHeader, 'secretKey'> {
  if (secretKeyFromEnvironment(process.env)) return {};
  const path = dataFolderKeyPath(dataDir);
  return existsSync(path) ? { secretKey: readFileSync(path, 'utf8').trim() } : {};
}

/** Where the backup's data folder key goes: nowhere when there is none or the environment gives one. */
function secretKeyToRestore(
  header: BackupHeader,
  dataDir: string,
  force: boolean,
): { path: string; key: string } | undefined {
  if (header.secretKey === undefined || secretKeyFromEnvironment(process.env)) return undefined;
  const path = dataFolderKeyPath(dataDir);
  if (existsSync(path) && readFileSync(path, 'utf8').trim() !== header.secretKey && !force)
    throw new BackupError(
      `${path} holds another key than the backup's, and the restored webhook endpoint secrets need the backup's: restore into a fresh data folder, or run again with --force to replace that key too.`,
    );
  return { path, key: header.secretKey };
}

function where(database: DatabaseLocation): string {
  return database.embedded ? `the embedded database in ${database.dataDir}` : 'the database of DATABASE_URL';
}

function capitalized(text: string): string {
  return `${text.charAt(0).toUpperCase()}${text.slice(1)}`;
}

function describeRows(rows: Record<string, number>): string {
  const total = Object.values(rows).reduce((sum, count) => sum + count, 0);
  return `${rows.contacts ?? 0} contacts, ${rows.deliveries ?? 0} deliveries (${total} rows in ${Object.keys(rows).length} tables)`;
}
