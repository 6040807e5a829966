/**
 * CPU time spent by each party of a load (the server under test, the PostgreSQL backends of its
 * connections, the bench process itself), read from Linux's /proc. At 1 connection the client
 * waits for the answer and the server for PostgreSQL, so a request's time is about the sum of the
 * parts, less what ran beside that chain on the other core (Handoff's job worker pushing the
 * purchases to the CRM: it shares Handoff's process and connections, so it is in Handoff's figures).
 * Elsewhere than Linux there is no /proc, and no figures.
 */
import { readFile } from 'node:fs/promises';
import type { LoadResult } from './load.ts';
import { withClient } from './with-client.ts';

/** /proc counts in USER_HZ ticks, 100 per second on every Linux architecture Node runs on. */
const TICKS_PER_SECOND = 100;

/** CPU by party of a load: its server, its PostgreSQL backends, and the bench process (load generator, CRM fake). */
export interface CpuByPart {
  server: number;
  postgres: number;
  bench: number;
}

/** A load's result with the CPU it cost per request; `cpu` is null without /proc. */
export interface Measured<T> {
  result: T;
  cpu: CpuByPart | null;
}

/** Who works for a load: its server process (none: null) and the application name its PostgreSQL connections carry. */
export interface LoadParties {
  serverPid: number | null;
  applicationName: string;
}

/** A process's own CPU seconds so far (utime + stime), or null once it is gone. */
async function processCpu(pid: number): Promise<number | null> {
  const text = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => null);
  if (text === null) return null;
  // The command name (field 2) may hold spaces and parentheses: the fields that follow come after its last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * CPU seconds so far of each PostgreSQL backend whose connection names itself `applicationName`:
 * the load's own, leaving out the other loads' and PostgreSQL's background processes.
 */
async function backendCpu(connectionString: string, applicationName: string): Promise<Map<number, number>> {
  const { rows } = await withClient(connectionString, (client) =>
    client.query<{ pid: number }>(`select pid from pg_stat_activity where application_name = $1`, [applicationName]),
  );
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    const seconds = await processCpu(pid);
    if (seconds !== null) cpu.set(pid, seconds);
  }
  return cpu;
}

interface Snapshot {
  server: number;
  backends: Map<number, number>;
  bench: number;
}

async function snapshot(connectionString: string, parties: LoadParties): Promise<Snapshot> {
  const server = parties.serverPid === null ? 0 : ((await processCpu(parties.serverPid)) ?? 0);
  const backends = await backendCpu(connectionString, parties.applicationName);
  const { user, system } = process.cpuUsage();
  return { server, backends, bench: (user + system) / 1e6 };
}

/** A backend that appeared during the load counts whole; one that exited during it is lost (loads keep theirs open). */
function backendsDelta(before: Map<number, number>, after: Map<number, number>): number {
  let total = 0;
  for (const [pid, seconds] of after) total += seconds - (before.get(pid) ?? 0);
  return total;
}

/**
 * Runs one load of `seconds` and says the CPU it cost per request in microseconds, by party.
 */
export async function withCpuPerRequest<T extends LoadResult>(
  connectionString: string,
  parties: LoadParties,
  seconds: number,
  load: () => Promise<T>,
): Promise<Measured<T>> {
  if (process.platform !== 'linux') return { result: await load(), cpu: null };
  const before = await snapshot(connectionString, parties);
  const result = await load();
  const after = await snapshot(connectionString, parties);
  const perRequest = (cpuSeconds: number): number => Math.round((cpuSeconds * 1e6) / (result.rps * seconds));
  return {
    result,
    cpu: {
      server: perRequest(after.server - before.server),
      postgres: perRequest(backendsDelta(before.backends, after.backends)),
      bench: perRequest(after.bench - before.bench),
    },
  };
}

/** The mean of equal-length rounds' figures; null when any is. */
export function meanCpuPerRequest(rounds: readonly (CpuByPart | null)[]): CpuByPart | null {
  if (rounds.length === 0 || rounds.some((round) => round === null)) return null;
  const known = rounds as readonly CpuByPart[];
  const mean = (part: keyof CpuByPart): number =>
    Math.round(known.reduce((sum, round) => sum + round[part], 0) / known.length);
  return { server: mean('server'), postgres: mean('postgres'), bench: mean('bench') };
}
