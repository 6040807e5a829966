import { createHash } from 'node:crypto';
import type { Queryable } from './database.ts';

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
