/** Imports of ThriveCart history and what they fetched (migrations 014, 016 and 032). */
import type { Queryable } from './database.ts';
import { SqlParams } from './sql-params.ts';

export interface ImportRun {
  id: number;
  source: 'api' | 'csv';
  startedAt: number;
  updatedAt: number;
  pagesFetched: number;
  transactionsComplete: boolean;
  appliedAt: number | null;
  plan: unknown;
  /** The days it looks at (`--since`/`--until`), epoch ms; null for no bound. */
  windowSince: number | null;
  windowUntil: number | null;
  /** How far its apply got: people applied, of `applyTotal` (null before an apply started). */
  applyDone: number;
  applyTotal: number | null;
}

/** What an open import is of: its days (API), or its file (CSV). Another scope is another import. */
export interface ImportScope {
  since: number | null;
  until: number | null;
  csv: string | null;
}

const COLUMNS = `id::int, source, (extract(epoch from started_at) * 1000)::float8 as "startedAt", (extract(epoch from updated_at) * 1000)::float8 as "updatedAt",
  pages_fetched as "pagesFetched", transactions_complete as "transactionsComplete", (extract(epoch from applied_at) * 1000)::float8 as "appliedAt", plan,
  (extract(epoch from window_since) * 1000)::float8 as "windowSince", (extract(epoch from window_until) * 1000)::float8 as "windowUntil", apply_done as "applyDone", apply_total as "applyTotal"`;

/**
 * The open (not yet applied) import of this source, created when there is none. An open import
 * of other dates (`--since`/`--until`) or of another file is dropped with what it fetched:
 * resuming it would mix two histories.
 */
export async function openImportRun(
  db: Queryable,
  source: ImportRun['source'],
  scope: ImportScope,
  now: number,
): Promise<ImportRun> {
  const dropped = new SqlParams();
  await db.query(
    `delete from thrivecart_imports where source = ${dropped.add(source)} and applied_at is null
        and (window_since is distinct from to_timestamp(${dropped.add(scope.since)} / 1000.0)
          or window_until is distinct from to_timestamp(${dropped.add(scope.until)} / 1000.0)
          or csv is distinct from ${dropped.add(scope.csv)}::text)`,
    dropped.values,
  );
  const opened = new SqlParams();
  const at = `to_timestamp(${opened.add(now)} / 1000.0)`;
  await db.query(
    `insert into thrivecart_imports (source, started_at, updated_at, window_since, window_until, csv)
     values (${opened.add(source)}, ${at}, ${at}, to_timestamp(${opened.add(scope.since)} / 1000.0),
             to_timestamp(${opened.add(scope.until)} / 1000.0), ${opened.add(scope.csv)})
     on conflict (source) where applied_at is null do nothing`,
    opened.values,
  );
  return (await openImportOf(db, source))!;
}

/** The open (not yet applied) import of this source, if any. */
export async function openImportOf(db: Queryable, source: ImportRun['source']): Promise<ImportRun | null> {
  const params = new SqlParams();
  const result = await db.query<ImportRun>(
    `select ${COLUMNS} from thrivecart_imports where source = ${params.add(source)} and applied_at is null`,
    params.values,
  );
  return result.rows[0] ?? null;
}

/** The file of a CSV import (not read with the rest: it can be large, and the Import page reloads). */
export async function importCsvOf(db: Queryable, importId: number): Promise<string | null> {
  const params = new SqlParams();
  const result = await db.query<{ csv: string | null }>(
    `select csv from thrivecart_imports where id = ${params.add(importId)}`,
    params.values,
  );
  return result.rows[0]?.csv ?? null;
}

/** Records how far an apply got: `done` people of `total`. */
export async function saveApplyProgress(
  db: Queryable,
  importId: number,
  done: number,
  total: number,
  now: number,
): Promise<void> {
  const params = new SqlParams();
  await db.query(
    `update thrivecart_imports set apply_done = ${params.add(done)}, apply_total = ${params.add(total)},
        updated_at = to_timestamp(${params.add(now)} / 1000.0) where id = ${params.add(importId)}`,
    params.values,
  );
}

export async function latestImportRun(db: Queryable): Promise<ImportRun | null> {
  const result = await db.query<ImportRun>(
    `select ${COLUMNS} from thrivecart_imports order by updated_at desc, id desc limit 1`,
  );
  return result.rows[0] ?? null;
}

/** Stores one fetched page of transactions and moves the cursor past it, together. */
export async function saveTransactionPage(
  db: Queryable,
  importId: number,
  page: number,
  rows: readonly { key: string; data: unknown }[],
  complete: boolean,
  now: number,
): Promise<void> {
  await db.query(
    `with saved as (
       insert into thrivecart_import_rows (import_id, kind, key, data)
       select $1, 'transaction', row->>'key', row->'data' from jsonb_array_elements($2::jsonb) row
       on conflict do nothing returning 1)
     update thrivecart_imports set pages_fetched = $3, transactions_complete = $4, updated_at = to_timestamp($5 / 1000.0) where id = $1`,
    [importId, JSON.stringify(rows), page, complete, now],
  );
}

export async function saveCustomerRecord(db: Queryable, importId: number, email: string, data: unknown): Promise<void> {
  await db.query(
    `insert into thrivecart_import_rows (import_id, kind, key, data) values ($1, 'customer', $2, $3) on conflict do nothing`,
    [importId, email, JSON.stringify(data)],
  );
}

export async function loadImportRows(
  db: Queryable,
  importId: number,
  kind: 'transaction' | 'customer',
): Promise<{ key: string; data: unknown }[]> {
  const result = await db.query<{ key: string; data: unknown }>(
    `select key, data from thrivecart_import_rows where import_id = $1 and kind = $2 order by key`,
    [importId, kind],
  );
  return result.rows;
}

/**
 * Saves the plan, and once applied marks the import so. An applied CSV import lets go of its
 * file: each row's facts are in its deliveries, and a file of people's e-mails is not kept longer
 * than it is needed.
 */
export async function savePlan(
  db: Queryable,
  importId: number,
  plan: unknown,
  applied: boolean,
  now: number,
): Promise<void> {
  const params = new SqlParams();
  const at = `to_timestamp(${params.add(now)} / 1000.0)`;
  const done = `${params.add(applied)}::boolean`;
  await db.query(
    `update thrivecart_imports set plan = ${params.add(JSON.stringify(plan))}, updated_at = ${at},
        applied_at = case when ${done} then ${at} else applied_at end, csv = case when ${done} then null else csv end
      where id = ${params.add(importId)}`,
    params.values,
  );
}

/** How much an import has fetched so far: transaction rows and buyers asked about. */
export async function importRowCounts(
  db: Queryable,
  importId: number,
): Promise<{ transactions: number; customers: number }> {
  const result = await db.query<{ transactions: number; customers: number }>(
    `select count(*) filter (where kind = 'transaction')::int as transactions, count(*) filter (where kind = 'customer')::int as customers
       from thrivecart_import_rows where import_id = $1`,
    [importId],
  );
  return result.rows[0] ?? { transactions: 0, customers: 0 };
}

/**
 * Removes an erased person from what imports keep: the fetched rows that mention the address, the
 * lines of a kept CSV file that hold it, and the plan's "not imported" entries naming it. The
 * address is compared in lower case, as the rows store it as ThriveCart or the file wrote it.
 */
export async function forgetInImports(db: Queryable, email: string): Promise<void> {
  const params = new SqlParams();
  const address = params.add(email.toLowerCase());
  await db.query(`delete from thrivecart_import_rows where strpos(lower(data::text), ${address}) > 0`, params.values);
  await db.query(
    `update thrivecart_imports set
       csv = case when strpos(lower(csv), ${address}) > 0 then array_to_string(array(
               select line from regexp_split_to_table(csv, E'\\n') with ordinality as split(line, n)
                where strpos(lower(line), ${address}) = 0 order by n), E'\\n') else csv end,
       plan = case when strpos(lower(plan->>'notImported'), ${address}) > 0 then jsonb_set(plan, '{notImported}',
               coalesce((select jsonb_agg(entry order by n) from jsonb_array_elements(plan->'notImported')
                          with ordinality as listed(entry, n) where strpos(lower(entry::text), ${address}) = 0), '[]'))
              else plan end
     where strpos(lower(coalesce(csv, '') || coalesce(plan::text, '')), ${address}) > 0`,
    params.values,
  );
}
