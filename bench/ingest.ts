/**
 * Ingest: purchases per second through the whole intake (HTTP, parse, verify, store with dedup,
 * resolve the contact, fold, save, enqueue), against the floor PostgreSQL itself sets: the same
 * three-statement transaction (insert the event, upsert the contact, insert a tag) sent straight
 * through `pg` at the same concurrency, on the same database.
 */
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

const BASELINE_SCHEMA = `
  drop schema if exists bench_baseline cascade;
  create schema bench_baseline;
  create table bench_baseline.events (id bigserial primary key, dedup_key text not null unique, received_at timestamptz not null, body json not null);
  create table bench_baseline.contacts (id bigserial primary key, email text not null unique, first_name text, updated_at timestamptz not null);
  create table bench_baseline.tags (contact_id bigint not null, tag text not null, primary key (contact_id, tag));
`;

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
  const pool = new pg.Pool({ connectionString, max: concurrency });
  // The server is stopped at the end of the run; an idle client losing its connection is not an error here.
  pool.on('error', () => undefined);
  let sequence = 0;
  try {
    await pool.query(BASELINE_SCHEMA);
    return await runLoops(concurrency, seconds, async () => {
      const n = (sequence += 1);
      const client = await pool.connect();
      try {
        await client.query('begin');
        await client.query(`insert into bench_baseline.events (dedup_key, received_at, body) values ($1, now(), $2)`, [
          `baseline:${n}`,
          storedBody,
        ]);
        const contact = await client.query<{ id: number }>(
          `insert into bench_baseline.contacts (email, first_name, updated_at) values ($1, $2, now())
           on conflict (email) do update set first_name = excluded.first_name, updated_at = now() returning id`,
          [`baseline-${n}@example.com`, 'Sam'],
        );
        await client.query(
          `insert into bench_baseline.tags (contact_id, tag) values ($1, 'Focus - Access') on conflict do nothing`,
          [contact.rows[0]!.id],
        );
        await client.query('commit');
      } catch (error) {
        await client.query('rollback');
        throw error;
      } finally {
        client.release();
      }
    });
  } finally {
    await pool.query('drop schema if exists bench_baseline cascade');
    await pool.end();
  }
}
