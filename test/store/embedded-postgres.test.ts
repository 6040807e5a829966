/**
 * Real servers, each in its own temp folder, independent of the run's shared server
 * (test/support/global-setup.ts). Every server left running is shut down in afterAll. The tests
 * that start from an existing cluster get a copy of one created once (initdb costs seconds each).
 */
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmbeddedPostgres } from '../../src/adapters/store/embedded-postgres.ts';
import { EmbeddedPostgresError } from '../../src/adapters/store/embedded-postgres-error.ts';

const MODULE_UNDER_TEST = fileURLToPath(new URL('../../src/adapters/store/embedded-postgres.ts', import.meta.url));
const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const isRoot = process.getuid?.() === 0;
const foldersToRemove: string[] = [];
const dataDirs: string[] = [];

/** A fresh data dir under a 0755 folder, so the `postgres` user can reach it when we are root. */
async function newDataDir(name = 'data'): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), 'handoff-embedded-pg-test-'));
  await chmod(folder, 0o755);
  foldersToRemove.push(folder);
  const dataDir = join(folder, name);
  dataDirs.push(dataDir);
  return dataDir;
}

/** A data dir holding a cluster that was created, started and cleanly stopped: what a previous run leaves. */
let stoppedCluster: string;
beforeAll(async () => {
  stoppedCluster = await newDataDir();
  await (await startEmbeddedPostgres({ dataDir: stoppedCluster })).stop();
});

/** A fresh data dir holding a copy of `stoppedCluster` (`cp -a` keeps the postgres user's ownership and modes). */
async function existingDataDir(name?: string): Promise<string> {
  const dataDir = await newDataDir(name);
  await promisify(execFile)('cp', ['-a', stoppedCluster, dataDir]);
  return dataDir;
}

async function queryOne<Row extends object>(connectionString: string, sql: string): Promise<Row | undefined> {
  const client = new Client({ connectionString });
  await client.connect();
  try {
    return (await client.query<Row>(sql)).rows[0];
  } finally {
    await client.end();
  }
}

async function postmasterPid(dataDir: string): Promise<number | undefined> {
  try {
    return Number((await readFile(join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  } catch {
    return undefined;
  }
}

/** Fast shutdown (SIGINT) of whatever server runs in dataDir, including ones no test object may stop (reused ones). */
async function shutDownServerIn(dataDir: string): Promise<void> {
  const pid = await postmasterPid(dataDir);
  if (pid === undefined) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return; // already gone
  }
  // PostgreSQL removes postmaster.pid as the last step of a clean shutdown.
  const deadline = Date.now() + 30_000;
  while (existsSync(join(dataDir, 'pg', 'postmaster.pid')) && Date.now() < deadline)
    await new Promise((wake) => setTimeout(wake, 50));
}

/** Retries `attempt` until it resolves (for up to a minute, a generous bound for a restart with crash recovery). */
async function eventually<T>(attempt: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await new Promise((wake) => setTimeout(wake, 100));
    }
  }
}

afterAll(async () => {
  for (const dataDir of dataDirs) await shutDownServerIn(dataDir);
  for (const folder of foldersToRemove) await rm(folder, { recursive: true, force: true });
});

describe('startEmbeddedPostgres', () => {
  it('creates the cluster and the handoff database on first start, and answers queries', async () => {
    const dataDir = await newDataDir();

    const server = await startEmbeddedPostgres({ dataDir });

    expect(server.startedHere).toBe(true);
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
    expect(await queryOne(server.connectionString, 'select 1 as answer, current_database() as database')).toEqual({
      answer: 1,
      database: 'handoff',
    });
    await server.stop();
  });

  it("reuses a server already running on the data dir, and the reuser's stop() leaves it running", async () => {
    const dataDir = await existingDataDir();
    const starter = await startEmbeddedPostgres({ dataDir });

    const reuser = await startEmbeddedPostgres({ dataDir });
    await reuser.stop();

    expect(reuser.startedHere).toBe(false);
    expect(reuser.adopted).toBe(false);
    expect(reuser.connectionString).toBe(starter.connectionString);
    expect(await queryOne(starter.connectionString, 'select 1 as answer')).toEqual({ answer: 1 });
    await starter.stop();
  });

  it('stops when its starter calls stop() (twice is fine), and keeps the data across a restart', async () => {
    const dataDir = await existingDataDir();
    const first = await startEmbeddedPostgres({ dataDir });
    await queryOne(first.connectionString, 'create table kept (note text)');
    await queryOne(first.connectionString, "insert into kept values ('still here')");

    await first.stop();
    await first.stop();
    expect(await postmasterPid(dataDir)).toBeUndefined();
    await expect(queryOne(first.connectionString, 'select 1')).rejects.toThrow();

    const second = await startEmbeddedPostgres({ dataDir });
    expect(second.startedHere).toBe(true);
    expect(await queryOne(second.connectionString, 'select note from kept')).toEqual({ note: 'still here' });
    await second.stop();
  });

  it('adopts the server of a starter that was killed with SIGKILL, and its stop() stops it', async () => {
    const dataDir = await existingDataDir();
    const starterScript = `
      const { startEmbeddedPostgres } = await import(${JSON.stringify(MODULE_UNDER_TEST)});
      const server = await startEmbeddedPostgres({ dataDir: process.env.HANDOFF_TEST_DATA_DIR });
      console.log(JSON.stringify({ connectionString: server.connectionString, startedHere: server.startedHere }));
      setInterval(() => undefined, 60_000); // stay alive until killed
    `;
    const starter = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '--eval', starterScript], {
      cwd: REPO_ROOT,
      env: { ...process.env, HANDOFF_TEST_DATA_DIR: dataDir },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [firstLine] = (await once(createInterface({ input: starter.stdout }), 'line')) as [string];
    const started = JSON.parse(firstLine) as { connectionString: string; startedHere: boolean };
    starter.kill('SIGKILL');
    await once(starter, 'exit');

    const reuser = await startEmbeddedPostgres({ dataDir });

    expect(started.startedHere).toBe(true);
    expect(reuser.startedHere).toBe(false);
    expect(reuser.adopted).toBe(true);
    expect(reuser.connectionString).toBe(started.connectionString);
    expect(await queryOne(reuser.connectionString, 'select 1 as answer')).toEqual({ answer: 1 });
    // Its starter is gone, so nobody else would ever stop it.
    await reuser.stop();
    // PostgreSQL removes postmaster.pid as the last step of a clean shutdown.
    expect(await postmasterPid(dataDir)).toBeUndefined();
  });

  it('starts again after the server itself was killed with SIGKILL (stale postmaster.pid)', async () => {
    const dataDir = await existingDataDir();
    const first = await startEmbeddedPostgres({ dataDir });
    const killedPid = await postmasterPid(dataDir);
    process.kill(killedPid ?? 0, 'SIGKILL');

    const second = await startEmbeddedPostgres({ dataDir });

    expect(second.startedHere).toBe(true);
    expect(await postmasterPid(dataDir)).not.toBe(killedPid);
    expect(await queryOne(second.connectionString, 'select 1 as answer')).toEqual({ answer: 1 });
    await second.stop();
    await first.stop(); // its server is long gone: must not throw
  });

  it('lets only one of two concurrent first starts create the cluster and start the server', async () => {
    const dataDir = await newDataDir();

    const servers = await Promise.all([startEmbeddedPostgres({ dataDir }), startEmbeddedPostgres({ dataDir })]);

    expect(servers.map((server) => server.startedHere).sort()).toEqual([false, true]);
    for (const server of servers)
      expect(await queryOne(server.connectionString, 'select 1 as answer')).toEqual({ answer: 1 });
    for (const server of servers) await server.stop();
  });

  it('puts the socket in a short folder under the temp folder when the data dir path is too long for a unix socket', async () => {
    const dataDir = await existingDataDir(
      'a-data-dir-name-long-enough-to-push-the-socket-path-past-the-unix-limit-of-107-bytes',
    );

    const server = await startEmbeddedPostgres({ dataDir });
    const socketDir = new URLSearchParams(server.connectionString.split('?')[1]).get('host') ?? '';
    foldersToRemove.push(socketDir);

    expect(socketDir.startsWith(join(tmpdir(), 'handoff-pg-'))).toBe(true);
    expect(await queryOne(server.connectionString, 'select 1 as answer')).toEqual({ answer: 1 });
    await server.stop();
  });

  it('when supervised, starts the server again after it was killed with SIGKILL, with the data committed before', async () => {
    const dataDir = await existingDataDir();
    const server = await startEmbeddedPostgres({ dataDir });
    await queryOne(server.connectionString, 'create table kept (note text)');
    await queryOne(server.connectionString, "insert into kept values ('committed before the kill')");
    const warnings: string[] = [];
    const errors: string[] = [];
    server.supervise({ warn: (message) => warnings.push(message), error: (message) => errors.push(message) });
    const killedPid = await postmasterPid(dataDir);

    process.kill(killedPid ?? 0, 'SIGKILL');

    const answer = await eventually(() => queryOne<{ note: string }>(server.connectionString, 'select note from kept'));
    expect(answer).toEqual({ note: 'committed before the kill' });
    expect(await postmasterPid(dataDir)).not.toBe(killedPid);
    expect(warnings[0]).toMatch(/is gone .*Starting it again/);
    // The server answers a moment before the supervisor, which waited for it, reports the restart.
    await eventually(async () => expect(warnings.at(-1)).toMatch(/restarted \(pid \d+\)/));
    expect(errors).toEqual([]);
    // The restart is its own: it stops it.
    await server.stop();
    expect(await postmasterPid(dataDir)).toBeUndefined();
  });

  it('as root, refuses a data dir the postgres user cannot reach, naming the folder and the fixes', async (context) => {
    context.skip(
      !isRoot,
      'only a root process runs the server as the postgres user; as a normal user the server runs as us',
    );
    const privateFolder = await mkdtemp(join(tmpdir(), 'handoff-embedded-pg-private-')); // mode 0700
    foldersToRemove.push(privateFolder);
    const dataDir = join(privateFolder, 'data');

    const attempt = startEmbeddedPostgres({ dataDir });

    await expect(attempt).rejects.toThrow(EmbeddedPostgresError);
    await expect(attempt).rejects.toThrow(/HANDOFF_DATA_DIR.*DATABASE_URL/);
    await expect(attempt).rejects.toThrow(privateFolder);
    expect(existsSync(dataDir)).toBe(false);
  });
});
