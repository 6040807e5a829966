/**
 * The ingest baseline's tables and transaction: one event row with the body, one contact upserted
 * by e-mail, one tag. The PostgreSQL baseline runs it straight through `pg`; the HTTP floor runs it
 * behind a bare `node:http` server (http-floor-server.ts), each in a schema of its own.
 */
import type pg from 'pg';

export const HTTP_FLOOR_SCHEMA = 'bench_floor';

/** The application names of the baseline's and the floor's connections, by which the bench reads their backends' CPU (process-cpu.ts). */
export const BASELINE_APPLICATION_NAME = 'bench-baseline';
export const HTTP_FLOOR_APPLICATION_NAME = 'bench-floor';

export type BaselineSql = ReturnType<typeof baselineSql>;

export function baselineSql(schema: string) {
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

/** One purchase the baseline's way: `name` keys the event and names the contact. */
export async function storeAsBaseline(pool: pg.Pool, sql: BaselineSql, name: string, body: string): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(sql.insertEvent, [name, body]);
    const contact = await client.query<{ id: number }>(sql.upsertContact, [`${name}@example.com`, 'Sam']);
    await client.query(sql.insertTag, [contact.rows[0]!.id]);
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}
