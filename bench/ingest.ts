/**
 * Ingest: purchases per second through the whole intake (HTTP, parse, verify, store with dedup,
 * resolve the contact, fold, save, enqueue), against the floor PostgreSQL itself sets: the same
 * three-statement transaction (insert the event, upsert the contact, insert a tag) sent straight
 * through `pg` at the same concurrency, on the same database. Beside it, the HTTP floor: that
 * transaction behind a bare `node:http` server, which says what share of the gap any HTTP receiver
 * pays here.
 */
import { spawn } from 'node:child_process';
import pg from 'pg';
import { parseFormBody } from '../src/adapters/sources/thrivecart/parse-body.ts';
import { redactSecret } from '../src/adapters/sources/thrivecart/redact.ts';
import type { BodySupply } from '../test/reliability/support/distinct-bodies.ts';
import { runLoad, runLoops, type LoadResult } from './load.ts';

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
 * The baseline's tables and its transaction, in schema `schema`: one event row with the body, one
 * contact upserted by e-mail, one tag. The same statements serve the PostgreSQL baseline and the
 * HTTP floor, each in a schema of its own.
 */
function baselineSql(schema: string) {
  return {
    create: `
      drop schema if exists ${schema} cascade;
      create schema ${schema};
      create table ${schema}.events (id bigserial primary key, dedup_key text not null unique, received_at timestamptz not null, body json not null);
      create table ${schema}.contacts (id bigserial primary key, email text not null unique, first_name text, updated_at timestamptz not null);
      create table ${schema}.tags (contact_id bigint not null, tag text not null, primary key (contact_id, tag));`,
    insertEvent: `insert into ${schema}.events (dedup_key, received_at, body) values ($1, now(), $2)`,
    upsertContact: `insert into ${schema}.contacts (email, first_name, updated_at) values ($1, $2, now())
      on conflict (email) do update set first_name = excluded.first_name, updated_at = now() returning id`,
    insertTag: `insert into ${schema}.tags (contact_id, tag) values ($1, 'Focus - Access') on conflict do nothing`,
    drop: `drop schema if exists ${schema} cascade`,
  };
}

/**
 * The baseline transaction, with the same realistic body (parsed, secret removed) stored as the
 * event, so the bytes written match what Handoff writes for the event row.
 */
export async function ingestBaseline(
  connectionString: string,
  sampleBody: string,
  concurrency: number,
  seconds: number,
): Promise<LoadResult> {
  // Parsed once: the baseline measures the database round trips, not our parser.
  const storedBody = JSON.stringify(redactSecret(parseFormBody(sampleBody)));
  const sql = baselineSql('bench_baseline');
  const pool = new pg.Pool({ connectionString, max: concurrency });
  // The server is stopped at the end of the run; an idle client losing its connection is not an error here.
  pool.on('error', () => undefined);
  let sequence = 0;
  try {
    await pool.query(sql.create);
    return await runLoops(concurrency, seconds, async () => {
      const n = (sequence += 1);
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(sql.insertEvent, [`baseline:${n}`, storedBody]);
        const contact = await client.query<{ id: number }>(sql.upsertContact, [`baseline-${n}@example.com`, 'Sam']);
        await client.query(sql.insertTag, [contact.rows[0]!.id]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    });
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
 * machine, so that what is left of the gap to the baseline is Handoff's own work.
 */
export async function ingestHttpFloor(
  connectionString: string,
  port: number,
  bodies: readonly string[],
  connections: number,
  seconds: number,
): Promise<LoadResult> {
  // The floor keys nothing on the body, so a few thousand bodies in turn serve any length of load.
  let index = 0;
  const server = spawn(process.execPath, ['-e', floorServerScript(connectionString, port, connections)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout.once('data', () => resolve());
      server.once('exit', (code) => reject(new Error(`HTTP floor server exited (${String(code)})`)));
    });
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
  } finally {
    server.kill('SIGTERM');
    const client = new pg.Client({ connectionString });
    await client.connect();
    await client.query(baselineSql('bench_floor').drop);
    await client.end();
  }
}

/** The floor server, for `node -e` (CommonJS; `pg` resolves from the repository, the bench's working folder). */
function floorServerScript(connectionString: string, port: number, connections: number): string {
  return `
    const pg = require('pg');
    const { parse } = require('node:querystring');
    const sql = ${JSON.stringify(baselineSql('bench_floor'))};
    const pool = new pg.Pool({ connectionString: ${JSON.stringify(connectionString)}, max: ${connections} });
    let sequence = 0;
    async function store(body) {
      const n = (sequence += 1);
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(sql.insertEvent, ['floor:' + n, JSON.stringify(parse(body))]);
        const contact = await client.query(sql.upsertContact, ['floor-' + n + '@example.com', 'Sam']);
        await client.query(sql.insertTag, [contact.rows[0].id]);
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    }
    pool.query(sql.create).then(() =>
      require('node:http')
        .createServer((request, response) => {
          const chunks = [];
          request.on('data', (chunk) => chunks.push(chunk));
          request.on('end', () =>
            store(Buffer.concat(chunks).toString('utf8')).then(
              () => {
                response.writeHead(200, { 'content-type': 'application/json; charset=utf-8' });
                response.end('{"status":"applied"}');
              },
              (error) => {
                response.writeHead(500);
                response.end(String(error));
              },
            ),
          );
        })
        .listen(${port}, '127.0.0.1', () => console.log('listening')),
    );
  `;
}
