/** Imports of ThriveCart history and what they fetched (migrations 014 and 016). */
import type { Queryable } from './database.ts';

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
}

const COLUMNS = `id::int, source, (extract(epoch from started_at) * 1000)::float8 as "startedAt", (extract(epoch from updated_at) * 1000)::float8 as "updatedAt",
  pages_fetched as "pagesFetched", transactions_complete as "transactionsComplete", (extract(epoch from applied_at) * 1000)::float8 as "appliedAt", plan,
  (extract(epoch from window_since) * 1000)::float8 as "windowSince", (extract(epoch from window_until) * 1000)::float8 as "windowUntil"`;

/**
 * The open (not yet applied) import of this source, created when there is none. An open import
 * of other dates (`--since`/`--until`) is dropped with what it fetched: resuming it would mix
 * two windows.
 */
export async function openImportRun(
  db: Queryable,
  source: ImportRun['source'],
  window: { since: number | null; until: number | null },
  now: number,
): Promise<ImportRun> {
  await db.query(
    `delete from thrivecart_imports where source = $1 and applied_at is null
        and (window_since is distinct from to_timestamp($2 / 1000.0) or window_until is distinct from to_timestamp($3 / 1000.0))`,
    [source, window.since, window.until],
  );
  await db.query(
    `insert into thrivecart_imports (source, started_at, updated_at, window_since, window_until)
     values ($1, to_timestamp($2 / 1000.0), to_timestamp($2 / 1000.0), to_timestamp($3 / 1000.0), to_timestamp($4 / 1000.0))
     on conflict (source) where applied_at is null do nothing`,
    [source, now, window.since, window.until],
  );
  const result = await db.query<ImportRun>(
    `select ${COLUMNS} from thrivecart_imports where source = $1 and applied_at is null`,
    [source],
  );
  return result.rows[0]!;
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

export async function savePlan(
  db: Queryable,
  importId: number,
  plan: unknown,
  applied: boolean,
  now: number,
): Promise<void> {
  await db.query(
    `update thrivecart_imports set plan = $2, updated_at = to_timestamp($3 / 1000.0), applied_at = case when $4 then to_timestamp($3 / 1000.0) else applied_at end where id = $1`,
    [importId, JSON.stringify(plan), now, applied],
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
