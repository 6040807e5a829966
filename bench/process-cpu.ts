/**
 * CPU time spent by each party of a load (the server under test, PostgreSQL, the bench process
 * itself), read from Linux's /proc. At 1 connection the client waits for the answer and the server
 * for PostgreSQL, so a request's time is about the sum of the parts, less what ran beside that
 * chain on the other core (Handoff's job worker pushing the purchases to the CRM). Elsewhere than
 * Linux there is no /proc, and no figures.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { LoadResult } from './load.ts';

/** /proc counts in USER_HZ ticks, 100 per second on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU by party of a load: the server under test, PostgreSQL, and the bench process (load generator, CRM fake). */
export interface CpuByPart {
  server: number;
  postgres: number;
  bench: number;
}

interface ProcStat {
  ppid: number;
  /** utime + stime: the process's own CPU. */
  own: number;
  /** cutime + cstime: the CPU of its children that exited and were waited for. */
  children: number;
}

async function procStat(pid: number | string): Promise<ProcStat | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  // The command name (field 2) may hold spaces and parentheses: the fields that follow come after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const tick = (index: number): number => Number(fields[index]) / TICKS_PER_SECOND;
  return { ppid: Number(fields[1]), own: tick(11) + tick(12), children: tick(13) + tick(14) };
}

/**
 * PostgreSQL's CPU: the postmaster's own and its exited children's (a backend of a pool closed
 * during the load is counted once it exits), plus every live child's.
 */
async function postgresCpu(postmasterPid: number): Promise<number> {
  const postmaster = await procStat(postmasterPid);
  if (postmaster === null) throw new Error(`PostgreSQL's postmaster (pid ${postmasterPid}) is not running`);
  let total = postmaster.own + postmaster.children;
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await procStat(entry);
    if (stat?.ppid === postmasterPid) total += stat.own;
  }
  return total;
}

/** The postmaster's pid, from the pid file of the cluster in `dataDir` (as Handoff's embedded PostgreSQL lays it out). */
export async function postmasterPidIn(dataDir: string): Promise<number> {
  const pid = Number((await readFile(join(dataDir, 'pg', 'postmaster.pid'), 'utf8')).split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no postmaster pid in ${dataDir}`);
  return pid;
}

/** CPU seconds used so far by the process `serverPid` (none: 0), PostgreSQL and this process. */
async function cpuSnapshot(serverPid: number | null, postmasterPid: number): Promise<CpuByPart> {
  const server = serverPid === null ? 0 : ((await procStat(serverPid))?.own ?? 0);
  const { user, system } = process.cpuUsage();
  return { server, postgres: await postgresCpu(postmasterPid), bench: (user + system) / 1e6 };
}

/**
 * Runs one load of `seconds` and says the CPU it cost per request in microseconds, by part (`server`: the process
 * `serverPid`, or 0 for a load with no server of its own); `cpu` is null without /proc.
 */
export async function withCpuPerRequest<T extends LoadResult>(
  serverPid: number | null,
  postmasterPid: number,
  seconds: number,
  load: () => Promise<T>,
): Promise<{ result: T; cpu: CpuByPart | null }> {
  if (process.platform !== 'linux') return { result: await load(), cpu: null };
  const before = await cpuSnapshot(serverPid, postmasterPid);
  const result = await load();
  const after = await cpuSnapshot(serverPid, postmasterPid);
  const requests = result.rps * seconds;
  const per = (part: keyof CpuByPart): number => Math.round(((after[part] - before[part]) * 1e6) / requests);
  return { result, cpu: { server: per('server'), postgres: per('postgres'), bench: per('bench') } };
}

/** The mean of equal-length rounds' figures; null when any is. */
export function meanCpuPerRequest(rounds: readonly (CpuByPart | null)[]): CpuByPart | null {
  if (rounds.length === 0 || rounds.some((round) => round === null)) return null;
  const known = rounds as readonly CpuByPart[];
  const mean = (part: keyof CpuByPart): number =>
    Math.round(known.reduce((sum, round) => sum + round[part], 0) / known.length);
  return { server: mean('server'), postgres: mean('postgres'), bench: mean('bench') };
}
