/**
 * `handoff backup` while Handoff runs and takes deliveries, `handoff restore` into a fresh data
 * folder (embedded PostgreSQL) or a fresh database (DATABASE_URL): every contact and delivery is
 * back, the service starts on the restored data, a database holding data is never overwritten
 * without --force, and nothing is restored under a running Handoff (issue 13).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync, gunzipSync } from 'node:zlib';
import { Client, escapeIdentifier } from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { buildThriveCartFields, encodeForm } from '../../src/adapters/sources/thrivecart/build-body.ts';
import { startEmbeddedPostgres } from '../../src/adapters/store/embedded-postgres.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { startTestHandoff } from '../support/handoff.ts';
import { runCli } from '../support/run-cli.ts';
import { TEST_ACCOUNT, TEST_SECRET } from '../support/test-config.ts';
import {
  createHandoffHome,
  freePort,
  SPAWNED_ADMIN_TOKEN,
  spawnHandoff,
  sleep,
  type HandoffHome,
  type SpawnedHandoff,
} from '../reliability/support/spawned-handoff.ts';

const { DATABASE_URL: _inherited, HANDOFF_CONFIG: _config, ...baseEnv } = process.env;

async function postPurchase(url: string, email: string, item = 'product-12'): Promise<void> {
  const fields = buildThriveCartFields('purchase', {
    account: TEST_ACCOUNT,
    secret: TEST_SECRET,
    email,
    item,
    firstName: 'Ada',
    lastName: email.split('@')[0]!,
    occurredAt: new Date(),
  });
  const response = await fetch(`${url}/webhooks/thrivecart`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: encodeForm(fields),
  });
  expect(response.status).toBe(200);
}

/** Every row of the tables, by table, in a stable order. */
async function readTables(connectionString: string, tables: string[]): Promise<Record<string, unknown[]>> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    const result: Record<string, unknown[]> = {};
    for (const table of tables) {
      const rows = await client.query<{ row: unknown }>(
        `select to_jsonb(t) as row from ${escapeIdentifier(table)} t order by to_jsonb(t)::text`,
      );
      result[table] = rows.rows.map((row) => row.row);
    }
    return result;
  } finally {
    await client.end();
  }
}

async function allTables(connectionString: string): Promise<string[]> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    const result = await client.query<{ name: string }>(
      "select tablename as name from pg_tables where schemaname = current_schema() and tablename <> 'schema_migrations' order by 1",
    );
    return result.rows.map((row) => row.name);
  } finally {
    await client.end();
  }
}

describe('handoff backup and restore on the embedded PostgreSQL', { timeout: 400_000 }, () => {
  const homes: HandoffHome[] = [];
  const services: SpawnedHandoff[] = [];
  afterAll(async () => {
    for (const service of services) await service.stop();
    for (const home of homes) await home.remove();
  });

  it('backs up while Handoff takes deliveries, and restores every contact and delivery into a fresh data folder', async () => {
    const source = await createHandoffHome('handoff-backup-a-');
    const target = await createHandoffHome('handoff-backup-b-');
    homes.push(source, target);
    const env = (home: HandoffHome): NodeJS.ProcessEnv => ({
      ...baseEnv,
      HANDOFF_CONFIG: home.configPath,
      HANDOFF_DATA_DIR: home.dataDir,
      LOG_LEVEL: 'warn',
    });
    const running = await spawnHandoff({ home: source, port: await freePort() });
    services.push(running);
    const before = ['ada@example.com', 'grace@example.com', 'linus@example.com'];
    for (const email of before) await postPurchase(running.url, email);

    // Purchases keep arriving while the backup is taken.
    let backupDone = false;
    const during = (async () => {
      for (let index = 0; !backupDone; index += 1) {
        await postPurchase(running.url, `during-${index}@example.com`);
        await sleep(20);
      }
    })();
    const backupFile = join(source.folder, 'nightly.backup.gz');
    const backup = await runCli(['backup', '--output', backupFile], env(source));
    backupDone = true;
    await during;
    expect(backup.stderr).toBe('');
    expect(backup.code).toBe(0);
    expect(backup.stdout).toMatch(
      /^Backed up \d+ contacts, \d+ deliveries \(\d+ rows in \d+ tables\) to .*nightly\.backup\.gz/,
    );
    expect(readFileSync(backupFile).subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]));

    // Restoring under the running Handoff is refused, --force or not: its PostgreSQL is the service's.
    const underRunning = await runCli(['restore', '--force', backupFile], env(source));
    expect(underRunning.code).toBe(1);
    expect(underRunning.stderr.trim()).toBe(
      `Handoff is running on the embedded database in ${source.dataDir}: stop it first (e.g. systemctl stop handoff), then run restore again; nothing was restored.`,
    );

    const restore = await runCli(['restore', backupFile], env(target));
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    expect(restore.stdout).toContain(`into the embedded database in ${target.dataDir}`);

    // The service starts on the restored folder and shows the people who bought before the backup.
    const restored = await spawnHandoff({ home: target, port: await freePort() });
    services.push(restored);
    for (const email of before) {
      const response = await fetch(`${restored.url}/api/contacts/${email}`, {
        headers: { authorization: `Bearer ${SPAWNED_ADMIN_TOKEN}` },
      });
      expect(response.status).toBe(200);
    }
    const sourceDb = await startEmbeddedPostgres({ dataDir: source.dataDir });
    const targetDb = await startEmbeddedPostgres({ dataDir: target.dataDir });
    const sourceRows = await readTables(sourceDb.connectionString, ['contacts', 'deliveries']);
    const targetRows = await readTables(targetDb.connectionString, ['contacts', 'deliveries']);
    const emailOf = (row: unknown): string => (row as { email: string }).email;
    // Everything acknowledged before the backup is there, exactly as it was...
    for (const email of before)
      expect(targetRows.contacts!.find((row) => emailOf(row) === email)).toEqual(
        sourceRows.contacts!.find((row) => emailOf(row) === email),
      );
    const beforeDeliveries = sourceRows.deliveries!.filter((row) =>
      before.some((email) => JSON.stringify(row).includes(email)),
    );
    expect(beforeDeliveries).toHaveLength(before.length);
    for (const delivery of beforeDeliveries) expect(targetRows.deliveries).toContainEqual(delivery);
    // ...and what arrived during it is all-or-nothing per delivery: one snapshot, no delivery without its contact.
    const targetContactIds = new Set(targetRows.contacts!.map((row) => (row as { id: number }).id));
    for (const delivery of targetRows.deliveries!) {
      expect(sourceRows.deliveries).toContainEqual(delivery);
      expect(targetContactIds.has((delivery as { contact_id: number }).contact_id)).toBe(true);
    }
    await sourceDb.stop();
    await targetDb.stop();
    await restored.stop();
    await running.stop();

    // A second restore into the same folder would overwrite what it now holds.
    const again = await runCli(['restore', backupFile], env(target));
    expect(again.code).toBe(1);
    expect(again.stderr).toContain(`The embedded database in ${target.dataDir} already holds data (`);
    expect(again.stderr).toContain('nothing was restored');
    expect(again.stderr).toContain('--force');
  });
});

describe('handoff backup and restore with DATABASE_URL', { timeout: 300_000 }, () => {
  const databases: TestDatabase[] = [];
  let home: HandoffHome | undefined;
  afterAll(async () => {
    for (const database of databases) await database.drop();
    await home?.remove();
  });

  it('restores every table into a fresh database, refuses one holding data without --force, and a cut-off backup', async () => {
    home = await createHandoffHome('handoff-backup-url-');
    const { folder } = home;
    const env = (database: TestDatabase, dataDir: string): NodeJS.ProcessEnv => ({
      ...baseEnv,
      HANDOFF_CONFIG: home!.configPath,
      DATABASE_URL: database.connectionString,
      HANDOFF_DATA_DIR: join(folder, dataDir),
      LOG_LEVEL: 'warn',
    });
    // Handoff fills the source in this process (the same server code, without a socket): the
    // processes under test here are backup and restore, and a spawned `serve` costs seconds of CPU.
    const running = await startTestHandoff();
    const source = running.database;
    const target = await createTestDatabase();
    databases.push(source, target);
    expect((await running.send('purchase', { email: 'ada@example.com', firstName: 'Ada' })).status).toBe(200);
    expect(
      (await running.send('purchase', { email: 'grace@example.com', firstName: 'Grace', item: 'product-40' })).status,
    ).toBe(200);

    const backupFile = join(folder, 'url.backup.gz');
    const backup = await runCli(['backup', '-o', backupFile], env(source, 'source-data'));
    expect(backup.code).toBe(0);
    expect(backup.stdout).toContain('Backed up 2 contacts, 2 deliveries');
    // Handoff's connections to the database (pg_stat_activity) say it runs: restore refuses, --force
    // or not. A running server always holds one (its job worker polls); this one holds one the same way.
    const held = await running.runtime.ctx.pool.connect();
    const underRunning = await runCli(['restore', '--force', backupFile], env(source, 'source-data'));
    expect(underRunning.code).toBe(1);
    expect(underRunning.stderr.trim()).toBe(
      'Handoff is running on the database of DATABASE_URL: stop it first (e.g. systemctl stop handoff), then run restore again; nothing was restored.',
    );
    held.release();
    await running.server.close();
    await running.runtime.close();

    const restore = await runCli(['restore', backupFile], env(target, 'target-data'));
    expect(restore.stderr).toBe('');
    expect(restore.code).toBe(0);
    const tables = await allTables(source.connectionString);
    expect(await readTables(target.connectionString, tables)).toEqual(
      await readTables(source.connectionString, tables),
    );
    // New rows continue after the restored ids rather than colliding with them.
    const client = new Client({ connectionString: target.connectionString });
    await client.connect();
    const next = await client.query<{ id: string }>("select nextval(pg_get_serial_sequence('deliveries', 'id')) as id");
    await client.end();
    expect(Number(next.rows[0]!.id)).toBeGreaterThan(2);

    const refused = await runCli(['restore', backupFile], env(target, 'target-data'));
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('The database of DATABASE_URL already holds data (2 contacts, 2 deliveries (');
    expect(refused.stderr).toContain('nothing was restored. Restore into a fresh data folder (HANDOFF_DATA_DIR)');
    expect(refused.stderr).toContain('or run again with --force to replace what it holds with the backup.');

    const text = gunzipSync(readFileSync(backupFile)).toString().trimEnd().split('\n');
    const cutOff = join(folder, 'cut-off.backup.gz');
    writeFileSync(cutOff, gzipSync(text.slice(0, -1).join('\n')));
    const damaged = await runCli(['restore', '--force', cutOff], env(target, 'target-data'));
    expect(damaged.code).toBe(1);
    expect(damaged.stderr.trim()).toBe(
      `${cutOff} is cut off (its last line is missing): nothing was restored. Use another backup.`,
    );
    expect(await readTables(target.connectionString, tables)).toEqual(
      await readTables(source.connectionString, tables),
    );

    const forced = await runCli(['restore', '--force', backupFile], env(target, 'target-data'));
    expect(forced.code).toBe(0);
    expect(await readTables(target.connectionString, tables)).toEqual(
      await readTables(source.connectionString, tables),
    );
  });
});
