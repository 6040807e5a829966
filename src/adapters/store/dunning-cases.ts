import type { DunningCase, DunningCaseState, ReminderStep } from '../../core/dunning/dunning-case.ts';
import type { ItemKey } from '../../core/events.ts';
import type { Queryable } from './database.ts';

/** A dunning case as stored: the derived case plus its row id and the contact it concerns. */
export interface StoredDunningCase extends DunningCase {
  id: number;
  contactId: number;
}

const COLUMNS = `id, contact_id, subscription_key, episode, order_id, item, product_name, state,
  (extract(epoch from opened_at) * 1000)::float8 as opened_at,
  (extract(epoch from grace_ends_at) * 1000)::float8 as grace_ends_at,
  (extract(epoch from lost_at) * 1000)::float8 as lost_at,
  (extract(epoch from closed_at) * 1000)::float8 as closed_at,
  failures, amount_due_cents, currency, reminders`;

interface RawCase {
  id: number;
  contact_id: number;
  subscription_key: string;
  episode: number;
  order_id: string;
  item: ItemKey;
  product_name: string;
  state: DunningCaseState;
  opened_at: number;
  grace_ends_at: number;
  lost_at: number | null;
  closed_at: number | null;
  failures: number;
  amount_due_cents: number | null;
  currency: string;
  reminders: ReminderStep[];
}

function toCase(row: RawCase): StoredDunningCase {
  return {
    id: row.id,
    contactId: row.contact_id,
    subscriptionKey: row.subscription_key,
    episode: row.episode,
    orderId: row.order_id,
    item: row.item,
    productName: row.product_name,
    state: row.state,
    openedAt: row.opened_at,
    graceEndsAt: row.grace_ends_at,
    lostAt: row.lost_at,
    closedAt: row.closed_at,
    failures: row.failures,
    amountDueCents: row.amount_due_cents,
    currency: row.currency,
    reminders: row.reminders,
  };
}

/** The identity of a case across re-derivations: its subscription and episode. */
export function caseIdentity(dunningCase: Pick<DunningCase, 'subscriptionKey' | 'episode'>): string {
  return `${dunningCase.subscriptionKey}#${dunningCase.episode}`;
}

/** The contact's stored cases, by identity. */
export async function loadContactCases(db: Queryable, contactId: number): Promise<Map<string, StoredDunningCase>> {
  const result = await db.query<RawCase>(`select ${COLUMNS} from dunning_cases where contact_id = $1`, [contactId]);
  return new Map(
    result.rows.map((row) => [
      caseIdentity({ subscriptionKey: row.subscription_key, episode: row.episode }),
      toCase(row),
    ]),
  );
}

/** Inserts or updates the case (matched by subscription and episode, whatever contact held it); returns its id. */
export async function upsertDunningCase(
  db: Queryable,
  contactId: number,
  dunningCase: DunningCase,
  now: number,
): Promise<number> {
  const result = await db.query<{ id: number }>(
    `insert into dunning_cases (contact_id, subscription_key, episode, order_id, item, product_name, state, opened_at, grace_ends_at,
       lost_at, closed_at, failures, amount_due_cents, currency, reminders, updated_at)
     values ($1, $2, $3, $4, $5, $6, $7, to_timestamp($8 / 1000.0), to_timestamp($9 / 1000.0), to_timestamp($10 / 1000.0),
       to_timestamp($11 / 1000.0), $12, $13, $14, $15, to_timestamp($16 / 1000.0))
     on conflict (subscription_key, episode) do update set contact_id = excluded.contact_id, order_id = excluded.order_id,
       item = excluded.item, product_name = excluded.product_name, state = excluded.state, opened_at = excluded.opened_at,
       grace_ends_at = excluded.grace_ends_at, lost_at = excluded.lost_at, closed_at = excluded.closed_at,
       failures = excluded.failures, amount_due_cents = excluded.amount_due_cents, currency = excluded.currency,
       reminders = excluded.reminders, updated_at = excluded.updated_at
     returning id`,
    [
      contactId,
      dunningCase.subscriptionKey,
      dunningCase.episode,
      dunningCase.orderId,
      dunningCase.item,
      dunningCase.productName,
      dunningCase.state,
      dunningCase.openedAt,
      dunningCase.graceEndsAt,
      dunningCase.lostAt,
      dunningCase.closedAt,
      dunningCase.failures,
      dunningCase.amountDueCents,
      dunningCase.currency,
      JSON.stringify(dunningCase.reminders),
      now,
    ],
  );
  return result.rows[0]!.id;
}

/** Removes cases the history no longer supports (e.g. the item's policy was set to none). */
export async function deleteDunningCases(db: Queryable, ids: readonly number[]): Promise<void> {
  if (ids.length > 0) await db.query(`delete from dunning_cases where id = any($1)`, [ids]);
}

/** `forUpdate` locks the case until the transaction ends: its e-mails are decided one at a time. */
export async function findDunningCase(
  db: Queryable,
  id: number,
  options: { forUpdate?: boolean } = {},
): Promise<StoredDunningCase | null> {
  const result = await db.query<RawCase>(
    `select ${COLUMNS} from dunning_cases where id = $1${options.forUpdate ? ' for update' : ''}`,
    [id],
  );
  return result.rows[0] ? toCase(result.rows[0]) : null;
}

export interface DunningCaseWithContact extends StoredDunningCase {
  email: string;
  firstName: string | null;
  lastName: string | null;
}

/** Open cases oldest first (the most urgent), or closed ones most recently closed first. */
export async function listDunningCases(
  db: Queryable,
  filter: { state: 'open' | 'closed'; limit: number },
): Promise<DunningCaseWithContact[]> {
  const where = filter.state === 'open' ? `state = 'open'` : `state <> 'open'`;
  const order = filter.state === 'open' ? 'cases.opened_at, cases.id' : 'cases.closed_at desc, cases.id desc';
  const result = await db.query<RawCase & { email: string; first_name: string | null; last_name: string | null }>(
    `select cases.*, contacts.email, contacts.first_name, contacts.last_name
       from (select ${COLUMNS} from dunning_cases where ${where}) cases join contacts on contacts.id = cases.contact_id
      order by ${order} limit $1`,
    [filter.limit],
  );
  return result.rows.map((row) => ({
    ...toCase(row),
    email: row.email,
    firstName: row.first_name,
    lastName: row.last_name,
  }));
}
