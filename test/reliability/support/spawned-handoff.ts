/**
 * `handoff serve` as a separate OS process, the way it runs in production: its own embedded
 * PostgreSQL in a fresh data folder (or a DATABASE_URL), real sockets, real signals. Used by the
 * crash tests and by the benchmarks.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TEST_SECRET, testConfigYaml } from '../../support/test-config.ts';

const CLI = join(import.meta.dirname, '../../../bin/handoff.js');
const START_TIMEOUT_MS = 90_000;
const STOP_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

/** The tests' configuration, as the file a user would write, with the secret read from the environment. */
export const SPAWNED_CONFIG_YAML = testConfigYaml('${THRIVECART_SECRET}');

export const SPAWNED_ADMIN_TOKEN = 'reliability-admin-token-at-least-32-characters';

/** A folder holding one Handoff's configuration and data, removable in one call. */
export interface HandoffHome {
  folder: string;
  configPath: string;
  dataDir: string;
  remove(): Promise<void>;
}

export async function createHandoffHome(prefix: string): Promise<HandoffHome> {
  const folder = await mkdtemp(join(tmpdir(), prefix));
  // mkdtemp creates it 0700; the embedded PostgreSQL runs as `postgres` when we are root and must enter it.
  await chmod(folder, 0o755);
  const configPath = join(folder, 'handoff.config.yaml');
  await writeFile(configPath, SPAWNED_CONFIG_YAML);
  const dataDir = join(folder, 'data');
  return {
    folder,
    configPath,
    dataDir,
    remove: async () => {
      await stopEmbeddedPostgresIn(dataDir);
      await rm(folder, { recursive: true, force: true });
    },
  };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') return reject(new Error('no port'));
      server.close(() => resolve(address.port));
    });
  });
}

export interface SpawnedHandoff {
  url: string;
  pid(): number;
  /** Whether the current process is still running (it has neither exited nor been killed). */
  alive(): boolean;
  /** Everything the process(es) wrote on stdout and stderr, across restarts. */
  output(): string;
  /** SIGKILL: no shutdown code runs; the detached PostgreSQL keeps running. */
  kill(): Promise<void>;
  /** Starts the process again on the same port, data and configuration. */
  restart(): Promise<void>;
  /** SIGTERM and wait for the exit (graceful shutdown). */
  stop(): Promise<void>;
}

export interface SpawnOptions {
  home: HandoffHome;
  port: number;
  /** Extra environment: DATABASE_URL to share a server, LOG_LEVEL... */
  env?: Record<string, string>;
  /** Extra arguments for node before the CLI, e.g. `--cpu-prof`. */
  nodeArgs?: string[];
}

export async function spawnHandoff(options: SpawnOptions): Promise<SpawnedHandoff> {
  const { DATABASE_URL: _inherited, ...inherited } = process.env;
  const env: NodeJS.ProcessEnv = {
    ...inherited,
    HANDOFF_CONFIG: options.home.configPath,
    HANDOFF_DATA_DIR: options.home.dataDir,
    HANDOFF_ADMIN_TOKEN: SPAWNED_ADMIN_TOKEN,
    THRIVECART_SECRET: TEST_SECRET,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  let output = '';
  let child: ChildProcess | null = null;

  const start = async (): Promise<void> => {
    const started = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, 'serve'], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
      cwd: options.home.folder,
    });
    child = started;
    let ownOutput = '';
    const capture = (chunk: Buffer): void => {
      output += chunk.toString();
      ownOutput += chunk.toString();
    };
    started.stdout.on('data', capture);
    started.stderr.on('data', capture);
    const deadline = Date.now() + START_TIMEOUT_MS;
    while (!ownOutput.includes('Handoff is running')) {
      if (Date.now() > deadline || started.exitCode !== null)
        throw new Error(`handoff serve did not start:\n${ownOutput}`);
      await sleep(POLL_MS);
    }
  };
  const exited = async (signal: NodeJS.Signals): Promise<void> => {
    const current = child;
    if (current === null || current.exitCode !== null || current.signalCode !== null) return;
    const done = new Promise<void>((resolve) => current.once('exit', () => resolve()));
    current.kill(signal);
    const timeout = sleep(STOP_TIMEOUT_MS).then(() => {
      throw new Error(`handoff serve did not exit on ${signal}`);
    });
    await Promise.race([done, timeout]);
  };

  await start();
  return {
    url: `http://127.0.0.1:${options.port}`,
    pid: () => child?.pid ?? 0,
    alive: () => child !== null && child.exitCode === null && child.signalCode === null,
    output: () => output,
    kill: () => exited('SIGKILL'),
    restart: start,
    stop: () => exited('SIGTERM'),
  };
}

/**
 * Stops the embedded PostgreSQL of a data folder whoever owns it: a scenario can end with it
 * still running (its Handoff killed, or a server the test process started to read the data).
 */
export async function stopEmbeddedPostgresIn(dataDir: string): Promise<void> {
  const pidFile = join(dataDir, 'pg', 'postmaster.pid');
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const comm = (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim();
  if (comm !== 'postgres') return;
  // SIGINT is PostgreSQL's fast shutdown; it removes its pid file last.
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while ((await readFile(pidFile, 'utf8').catch(() => null)) !== null && Date.now() < deadline) await sleep(POLL_MS);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resident memory of a process in MiB, from /proc (Linux). */
export async function residentMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
  if (!match) throw new Error(`no VmRSS for pid ${pid}`);
  return Number(match[1]) / 1024;
}
