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

/** The calls Handoff makes to AccessAlly: the "create user" webhook (aal_genpass) or the update one (aal_updateuser). */
export type AccessAllyCall = 'create' | 'update';

/** Records that AccessAlly answered `call` for the contact with 2xx at `now`. */
export async function recordAccessAllyCall(
  db: Queryable,
  contactId: number,
  call: AccessAllyCall,
  now: number,
): Promise<void> {
  await db.query(
    `insert into accessally_calls (contact_id, call, called_at) values ($1, $2, to_timestamp($3 / 1000.0))
     on conflict (contact_id) do update set call = excluded.call, called_at = excluded.called_at`,
    [contactId, call, now],
  );
}

/** What Handoff knows of the contact at AccessAlly: its user, and the last call AccessAlly answered. */
export interface AccessAllyContactState {
  user: AccessAllyUserState | null;
  lastCall: { call: AccessAllyCall; at: number } | null;
}

export async function loadAccessAllyContactState(db: Queryable, contactId: number): Promise<AccessAllyContactState> {
  const result = await db.query<{ user: AccessAllyUserState | null; call: AccessAllyCall | null; at: number | null }>(
    `select (select state from accessally_users where contact_id = $1) as user,
            calls.call, (extract(epoch from calls.called_at) * 1000)::float8 as at
       from (select 1) one left join accessally_calls calls on calls.contact_id = $1`,
    [contactId],
  );
  const row = result.rows[0]!;
  return { user: row.user, lastCall: row.call === null || row.at === null ? null : { call: row.call, at: row.at } };
}
