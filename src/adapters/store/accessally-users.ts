import type { Queryable } from './database.ts';

/** Whether AccessAlly holds a WordPress user for a contact, as far as Handoff knows (migration 013). */
export type AccessAllyUserState = 'existing' | 'to_create' | 'creating' | 'created';

export async function loadAccessAllyUser(db: Queryable, contactId: number): Promise<AccessAllyUserState | null> {
  const result = await db.query<{ state: AccessAllyUserState }>(
    `select state from accessally_users where contact_id = $1`,
    [contactId],
  );
  return result.rows[0]?.state ?? null;
}

/** Records the first decision for a contact; a decision already recorded is kept. */
export async function decideAccessAllyUser(
  db: Queryable,
  contactId: number,
  state: 'existing' | 'to_create',
  now: number,
): Promise<void> {
  await db.query(
    `insert into accessally_users (contact_id, state, updated_at) values ($1, $2, to_timestamp($3 / 1000.0)) on conflict (contact_id) do nothing`,
    [contactId, state, now],
  );
}

/**
 * Moves a contact from one state to the next; false when it was not in `from` (another worker
 * moved it first), so a create call is claimed by exactly one worker.
 */
export async function moveAccessAllyUser(
  db: Queryable,
  contactId: number,
  from: AccessAllyUserState,
  to: AccessAllyUserState,
  now: number,
): Promise<boolean> {
  const result = await db.query(
    `update accessally_users set state = $3, updated_at = to_timestamp($4 / 1000.0) where contact_id = $1 and state = $2`,
    [contactId, from, to, now],
  );
  return result.rowCount === 1;
}
