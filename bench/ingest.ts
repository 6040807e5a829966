/**
 * Ingest: purchases per second through the whole intake (HTTP, parse, verify, store with dedup,
 * resolve the contact, fold, save, enqueue), against the floor PostgreSQL itself sets: the same
 * three-statement transaction (insert the event, upsert the contact, insert a tag) sent straight
 * through `pg` at the same concurrency, on the same database. Beside it, the HTTP floor: that
 * transaction behind a bare `node:http` server, which says what share of the gap any HTTP receiver
 * pays here.
 */
import { join } from 'node:path';
import pg from 'pg';
import { parseFormBody } from '../src/adapters/sources/thrivecart/parse-body.ts';
import { redactSecret } from '../src/adapters/sources/thrivecart/redact.ts';
import type { BodySupply } from '../test/reliability/support/distinct-bodies.ts';
import { runLoad, runLoops, type LoadResult } from './load.ts';
import { BASELINE_APPLICATION_NAME, baselineSql, HTTP_FLOOR_SCHEMA, storeAsBaseline } from './baseline-transaction.ts';
import { startListeningProcess } from './listening-process.ts';
import { withClient } from './with-client.ts';

const FORM_HEADERS = { 'content-type': 'application/x-www-form-urlencoded' };

export async function ingestThroughHandoff(
  url: string,
  supply: BodySupply,
  connections: number,
  seconds: number,
  overallRate?: number,
): Promise<LoadResult> {
  const result = await runLoad({
    url: `${url}/webhooks/thrivecart`,
    connections,
    seconds,
    method: 'POST',
    headers: FORM_HEADERS,
    next: () => supply.take(),
    overallRate,
  });
  if (result.non2xx > 0 || result.errors > 0)
    throw new Error(`ingest at ${connections} connections: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
  return result;
}

/**
 * The baseline transaction, with the same realistic body (parsed, secret removed) stored as the
 * event, so the bytes written match what Handoff writes for the event row. Each round has a pool
 * and tables of its own. `measured` wraps the load itself, inside the pool's life, so the pool's
 * backends are still there to be read (process-cpu.ts).
 */
export async function ingestBaseline<T>(
  connectionString: string,
  sampleBody: string,
  concurrency: number,
  seconds: number,
  measured: (load: () => Promise<LoadResult>) => Promise<T>,
): Promise<T> {
  // Parsed once: the baseline measures the database round trips, not our parser.
  const storedBody = JSON.stringify(redactSecret(parseFormBody(sampleBody)));
  const sql = baselineSql('bench_baseline');
  const pool = new pg.Pool({ connectionString, max: concurrency, application_name: BASELINE_APPLICATION_NAME });
  // The server is stopped at the end of the run; an idle client losing its connection is not an error here.
  pool.on('error', () => undefined);
  let sequence = 0;
  try {
    await pool.query(sql.create);
    return await measured(() =>
      runLoops(concurrency, seconds, () => storeAsBaseline(pool, sql, `baseline-${(sequence += 1)}`, storedBody)),
    );
  } finally {
    await pool.query(sql.drop);
    await pool.end();
  }
}

/**
 * The HTTP floor: the smallest `node:http` service doing per purchase what the baseline does (read
 * the form body, store it as JSON with the baseline's transaction, answer 200 with JSON), in a
 * process of its own as Handoff is, loaded by the same autocannon. Not a goal: it shows, in the same
 * run, what the HTTP hop, a second process and the load generator cost any receiver on this
 * machine, so that what is left of the gap to the baseline is Handoff's own work. Started once per
 * concurrency and warmed up like Handoff, so its rounds do not pay a fresh process's compile.
 */
export interface HttpFloor {
  /** The floor server's process, whose CPU the bench reads (process-cpu.ts). */
  pid: number;
  load(seconds: number): Promise<LoadResult>;
  stop(): Promise<void>;
}

export async function startHttpFloor(
  connectionString: string,
  port: number,
  bodies: readonly string[],
  connections: number,
): Promise<HttpFloor> {
  const server = await startListeningProcess(
    [
      '--import',
      'tsx',
      join(import.meta.dirname, 'http-floor-server.ts'),
      connectionString,
      String(port),
      String(connections),
    ],
    'HTTP floor server',
  );
  const stop = async (): Promise<void> => {
    server.kill('SIGTERM');
    await withClient(connectionString, (client) => client.query(baselineSql(HTTP_FLOOR_SCHEMA).drop));
  };
  // The floor keys nothing on the body, so a few thousand bodies in turn serve any length of load.
  let index = 0;
  const load = async (seconds: number): Promise<LoadResult> => {
    const result = await runLoad({
      url: `http://127.0.0.1:${port}/`,
      connections,
      seconds,
      method: 'POST',
      headers: FORM_HEADERS,
      next: () => bodies[(index += 1) % bodies.length]!,
    });
    if (result.non2xx > 0 || result.errors > 0)
      throw new Error(`HTTP floor: ${result.non2xx} non-2xx answers, ${result.errors} errors`);
    return result;
  };
  return { pid: server.pid!, load, stop };
}
