/** Whole-database views for the reliability checks: every table's content, every stored text. */
import { escapeIdentifier } from 'pg';
import type { Queryable } from '../../../src/adapters/store/database.ts';

async function tables(db: Queryable): Promise<string[]> {
  const result = await db.query<{ table_name: string }>(
    `select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`,
  );
  return result.rows.map((row) => row.table_name);
}

/** A digest of every row of every table: equal fingerprints mean nothing was inserted, changed or deleted. */
export async function tableFingerprints(db: Queryable): Promise<Record<string, string>> {
  const fingerprints: Record<string, string> = {};
  for (const table of await tables(db)) {
    const result = await db.query<{ fingerprint: string }>(
      `select count(*) || ':' || coalesce(md5(string_agg(t::text, '|' order by t::text)), '') as fingerprint from ${escapeIdentifier(table)} t`,
    );
    fingerprints[table] = result.rows[0]!.fingerprint;
  }
  return fingerprints;
}

/**
 * Where `needles` occur in the database (`pg_dump` is not available, so every text, varchar, json
 * and jsonb column of every table is searched instead): `table.column` for each hit.
 */
export async function findInDatabase(db: Queryable, needles: readonly string[]): Promise<string[]> {
  const columns = await db.query<{ table_name: string; column_name: string }>(
    `select c.table_name, c.column_name from information_schema.columns c
       join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name and t.table_type = 'BASE TABLE'
      where c.table_schema = 'public' and c.data_type in ('text', 'character varying', 'json', 'jsonb', 'ARRAY')
      order by 1, 2`,
  );
  const hits: string[] = [];
  for (const { table_name: table, column_name: column } of columns.rows) {
    const found = await db.query<{ hit: boolean }>(
      `select exists (select 1 from ${escapeIdentifier(table)} as scanned, unnest($1::text[]) as needle where strpos(scanned.${escapeIdentifier(column)}::text, needle) > 0) as hit`,
      [needles],
    );
    if (found.rows[0]!.hit) hits.push(`${table}.${column}`);
  }
  return hits;
}

/** The ways a secret word can appear in text: as is, form-encoded, and JSON-escaped. */
export function secretSpellings(secret: string): string[] {
  return [
    ...new Set([
      secret,
      encodeURIComponent(secret),
      encodeURIComponent(secret).replace(/%20/g, '+'),
      JSON.stringify(secret).slice(1, -1),
    ]),
  ];
}
