/**
 * The deliveries an import of ThriveCart history writes: ledger history like a webhook's, under
 * permanent dedup keys, so a second run (or a live webhook for the same order) writes nothing twice.
 */
import type { Queryable } from './database.ts';
import { insertDeliverySql, type NewDelivery } from './deliveries.ts';
import { SqlParams } from './sql-params.ts';

/** Those of `dedupKeys` already in the ledger (a webhook or an earlier import). */
export async function knownDedupKeys(db: Queryable, dedupKeys: readonly string[]): Promise<Set<string>> {
  const params = new SqlParams();
  const result = await db.query<{ dedup_key: string }>(
    `select dedup_key from deliveries where dedup_key = any(${params.add(dedupKeys)}::text[])`,
    params.values,
  );
  return new Set(result.rows.map((row) => row.dedup_key));
}

/**
 * Inserts an imported delivery of `contactId` (null for a person not written yet) unless its
 * dedup key is known; returns its id, or null when it was already there.
 */
export async function insertImportedDelivery(
  db: Queryable,
  delivery: NewDelivery,
  contactId: number | null,
): Promise<number | null> {
  const params = new SqlParams();
  const text = insertDeliverySql(
    params,
    delivery,
    contactId === null ? {} : { contactId: `${params.add(contactId)}::bigint` },
  );
  return (await db.query<{ id: number }>(text, params.values)).rows[0]?.id ?? null;
}
