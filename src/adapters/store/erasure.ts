import { createHash } from 'node:crypto';
import type { Queryable } from './database.ts';
import { SqlParams } from './sql-params.ts';

async function salt(db: Queryable): Promise<string> {
  const result = await db.query<{ value: string }>(
    `select value from installation_settings where key = 'erasure_salt'`,
  );
  return result.rows[0]!.value;
}

function hashIdentity(salt: string, identity: string): string {
  return createHash('sha256').update(`${salt}:${identity}`).digest('hex');
}

/** Remembers erased identities (`email:…`, `customer:…`) as salted hashes. */
export async function rememberErased(db: Queryable, identities: readonly string[], now: number): Promise<void> {
  const installationSalt = await salt(db);
  for (const identity of identities) {
    await db.query(
      `insert into erased_identities (identity_hash, erased_at) values ($1, to_timestamp($2 / 1000.0)) on conflict do nothing`,
      [hashIdentity(installationSalt, identity), now],
    );
  }
}

/**
 * Stored deliveries that no contact holds (rejected, ignored, failed) and whose customer e-mail
 * contains `email`, whatever its case: candidates only, the caller compares the normalised
 * address.
 */
export async function unattachedDeliveriesMentioning(
  db: Queryable,
  email: string,
): Promise<{ id: number; email: string }[]> {
  const params = new SqlParams();
  const result = await db.query<{ id: number; email: string }>(
    `select id, body->'customer'->>'email' as email from deliveries
      where contact_id is null and status <> 'erased' and strpos(lower(body->'customer'->>'email'), ${params.add(email)}) > 0`,
    params.values,
  );
  return result.rows;
}

/**
 * Blanks the stored deliveries of a contact, and the other ones named, down to their dedup key
 * (so a re-send stays a duplicate), marked erased with `reason`. Returns how many.
 */
export async function eraseDeliveries(
  db: Queryable,
  erased: { contactId: number; otherDeliveryIds: readonly number[]; reason: string },
): Promise<number> {
  const params = new SqlParams();
  const result = await db.query(
    `update deliveries set body = '{}'::json, event = null, status = 'erased', reason = ${params.add(erased.reason)}, contact_id = null
      where contact_id = ${params.add(erased.contactId)} or id = any(${params.add(erased.otherDeliveryIds)}::bigint[])`,
    params.values,
  );
  return result.rowCount ?? 0;
}

/**
 * Deletes the contact and what is kept about them alone: dunning cases, CRM sync state, and the
 * jobs keyed by their id that are not running (a running one finds the contact gone).
 */
export async function deleteContactRecords(db: Queryable, contactId: number): Promise<void> {
  await db.query(`delete from dunning_cases where contact_id = $1`, [contactId]);
  await db.query(`delete from crm_contacts where contact_id = $1`, [contactId]);
  await db.query(`delete from jobs where key = $1 and state <> 'running'`, [String(contactId)]);
  await db.query(`delete from contacts where id = $1`, [contactId]);
}
