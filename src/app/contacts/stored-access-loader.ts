import DataLoader from 'dataloader';
import { findStoredAccessByEmails, type StoredAccess } from '../../adapters/store/contacts.ts';
import type { Pool } from '../../adapters/store/database.ts';

export type StoredAccessLoader = DataLoader<string, StoredAccess | null>;

/** More emails than this in one turn of the event loop are split into several queries. */
const MAX_EMAILS_PER_QUERY = 256;

/**
 * Batches the access API's lookups: every request read in one turn of the event loop is answered
 * by one query. On a small machine a lookup's cost is mostly the round trip itself (a socket write
 * that wakes a PostgreSQL backend, and its answer), so under load sharing it is what lets the
 * access check keep up with page views. Nothing is cached: each answer is read after its request
 * arrived, so a purchase is visible as soon as its webhook was acknowledged, whichever process
 * acknowledged it. Emails are expected normalised (trimmed, lower case).
 */
export function createStoredAccessLoader(pool: Pool): StoredAccessLoader {
  return new DataLoader((emails: readonly string[]) => findStoredAccessByEmails(pool, emails), {
    cache: false,
    maxBatchSize: MAX_EMAILS_PER_QUERY,
    // After the poll phase, so every request whose bytes arrived in this turn joins the batch.
    batchScheduleFn: (dispatch) => setImmediate(dispatch),
  });
}
