import type { Queryable } from './database.ts';

/** Why a call to the webhook URL was refused (adapters/sources/thrivecart/verify.ts). */
export type RefusalReason =
  'secret-mismatch' | 'account-mismatch' | 'missing-secret' | 'missing-account' | 'not-configured';

/** Refused calls of one reason since some moment (no body and no secret is ever kept). */
export interface RefusalSummary {
  reason: RefusalReason;
  count: number;
  lastAt: number;
  /** The account name the latest such call claimed (cut to 100 characters), if any. */
  lastClaimedAccount: string | null;
}

/** Counts one refused call: one row per UTC day and reason (migration 012). */
export async function recordRefusedDelivery(
  db: Queryable,
  at: number,
  reason: RefusalReason,
  claimedAccount: string | null,
): Promise<void> {
  await db.query(
    `insert into refused_deliveries (day, reason, count, first_at, last_at, last_claimed_account)
     values ((to_timestamp($1 / 1000.0) at time zone 'UTC')::date, $2, 1, to_timestamp($1 / 1000.0), to_timestamp($1 / 1000.0), $3)
     on conflict (day, reason) do update set count = refused_deliveries.count + 1,
       last_at = greatest(refused_deliveries.last_at, excluded.last_at),
       last_claimed_account = coalesce(excluded.last_claimed_account, refused_deliveries.last_claimed_account)`,
    [at, reason, claimedAccount === null ? null : claimedAccount.slice(0, 100)],
  );
}

/** Refused calls per reason since `since` (whole UTC days), most recent first. */
export async function refusedDeliveriesSince(db: Queryable, since: number): Promise<RefusalSummary[]> {
  const result = await db.query<RefusalSummary>(
    `select reason, sum(count)::int as count, (extract(epoch from max(last_at)) * 1000)::float8 as "lastAt",
            (array_agg(last_claimed_account order by last_at desc) filter (where last_claimed_account is not null))[1] as "lastClaimedAccount"
       from refused_deliveries where day >= (to_timestamp($1 / 1000.0) at time zone 'UTC')::date
      group by reason order by max(last_at) desc`,
    [since],
  );
  return result.rows;
}
