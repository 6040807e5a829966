import { SIMULATED_FIELD } from '../sources/thrivecart/simulated.ts';
import type { Queryable } from './database.ts';
import { DAY_MS } from '../../core/time.ts';

export interface DeliveryCounts {
  today: number;
  thisWeek: number;
  failed: number;
  ignoredThisWeek: number;
  rejected: number;
}

/** Counts for the overview; each is one indexed range scan. */
export async function deliveryCounts(db: Queryable, now: number): Promise<DeliveryCounts> {
  const startOfDay = Math.floor(now / DAY_MS) * DAY_MS;
  const result = await db.query<DeliveryCounts>(
    `select
       (select count(*) from deliveries where received_at >= to_timestamp($1 / 1000.0))::int as "today",
       (select count(*) from deliveries where received_at >= to_timestamp($2 / 1000.0))::int as "thisWeek",
       (select count(*) from deliveries where status = 'failed')::int as "failed",
       (select count(*) from deliveries where status = 'ignored' and received_at >= to_timestamp($2 / 1000.0))::int as "ignoredThisWeek",
       (select count(*) from deliveries where status = 'rejected')::int as "rejected"`,
    [startOfDay, now - 7 * DAY_MS],
  );
  return result.rows[0]!;
}

export interface DailyActivity {
  /** Epoch ms of the day's start (UTC). */
  day: number;
  purchases: number;
  refunds: number;
  recovered: number;
}

/**
 * Applied purchases and refunds per day (event time) over the last `days` days, and dunning cases
 * recovered per day.
 */
export async function dailyActivity(db: Queryable, now: number, days: number): Promise<DailyActivity[]> {
  const since = Math.floor(now / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
  const result = await db.query<{ day: number; purchases: number; refunds: number; recovered: number }>(
    `with days as (select generate_series(0, $2::int - 1) as offset_days),
     activity as (
       select floor(extract(epoch from occurred_at) * 1000 / ${DAY_MS}) * ${DAY_MS} as day, event->>'kind' as kind, count(*) as n
         from deliveries where status = 'applied' and occurred_at >= to_timestamp($1 / 1000.0) and event->>'kind' in ('purchase', 'refund')
        group by 1, 2),
     recovered as (
       select floor(extract(epoch from closed_at) * 1000 / ${DAY_MS}) * ${DAY_MS} as day, count(*) as n
         from dunning_cases where state in ('recovered', 'recovered-after-loss') and closed_at >= to_timestamp($1 / 1000.0)
        group by 1)
     select ($1::float8 + offset_days::float8 * ${DAY_MS})::float8 as day,
            coalesce((select n from activity a where a.day = $1::float8 + offset_days::float8 * ${DAY_MS} and a.kind = 'purchase'), 0)::int as purchases,
            coalesce((select n from activity a where a.day = $1::float8 + offset_days::float8 * ${DAY_MS} and a.kind = 'refund'), 0)::int as refunds,
            coalesce((select n from recovered r where r.day = $1::float8 + offset_days::float8 * ${DAY_MS}), 0)::int as recovered
       from days order by 1`,
    [since, days],
  );
  return result.rows;
}

export async function openDunningCount(db: Queryable): Promise<number> {
  const result = await db.query<{ count: number }>(
    `select count(*)::int as count from dunning_cases where state = 'open'`,
  );
  return result.rows[0]!.count;
}

/** Test-mode deliveries stored as ignored since `since` (thrivecart.testMode: ignore). */
export async function ignoredTestDeliveriesSince(db: Queryable, since: number): Promise<number> {
  const result = await db.query<{ count: number }>(
    `select count(*)::int as count from deliveries where status = 'ignored' and not live and received_at >= to_timestamp($1 / 1000.0)`,
    [since],
  );
  return result.rows[0]!.count;
}

/**
 * The most recent delivery that came from ThriveCart itself: hand changes in the console are not
 * deliveries, and `handoff simulate` marks its own (adapters/sources/thrivecart/simulated.ts).
 */
export async function latestThriveCartDelivery(
  db: Queryable,
): Promise<{ receivedAt: number; eventName: string; live: boolean } | null> {
  const result = await db.query<{ receivedAt: number; eventName: string; live: boolean }>(
    `select (extract(epoch from received_at) * 1000)::float8 as "receivedAt", event_name as "eventName", live
       from deliveries where source = 'thrivecart' and body ->> $1 is null order by id desc limit 1`,
    [SIMULATED_FIELD],
  );
  return result.rows[0] ?? null;
}
