import type { Queryable } from './database.ts';

/**
 * One transaction-scoped advisory lock between noting whom a bulk import carries and erasing a
 * person: a bulk import notes its people while no erasure is under way (many may note at once),
 * and an erasure reads what was noted only once no noting is under way. So an erasure either sees
 * the note, or happens first and the import leaves the person out. An advisory lock writes
 * nothing to the rows (a row lock on 250 contacts a batch would), which matters at a launch.
 */
const BULK_IMPORT_NOTES = 7_402_113_901;

/** Taken by the transaction that notes an import's people (shared: imports do not wait for each other). */
export async function shareBulkImportNotes(db: Queryable): Promise<void> {
  await db.query(`select pg_advisory_xact_lock_shared($1)`, [BULK_IMPORT_NOTES]);
}

/** Taken by an erasure before it reads what imports noted of the person (exclusive: waits for any noting). */
export async function excludeBulkImportNotes(db: Queryable): Promise<void> {
  await db.query(`select pg_advisory_xact_lock($1)`, [BULK_IMPORT_NOTES]);
}
