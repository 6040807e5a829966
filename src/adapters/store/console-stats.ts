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

/** Counts for the overview ("today" in the creator's `timeZone`); each is one indexed range scan. */
export async function deliveryCounts(db: Queryable, now: number, timeZone: string): Promise<DeliveryCounts> {
  const result = await db.query<DeliveryCounts>(
    `select
       (select count(*) from deliveries
         where received_at >= date_trunc('day', to_timestamp($1 / 1000.0) at time zone $3) at time zone $3)::int as "today",
       (select count(*) from deliveries where received_at >= to_timestamp($2 / 1000.0))::int as "thisWeek",
       (select count(*) from deliveries where status = 'failed')::int as "failed",
       (select count(*) from deliveries where status = 'ignored' and received_at >= to_timestamp($2 / 1000.0))::int as "ignoredThisWeek",
       (select count(*) from deliveries where status = 'rejected')::int as "rejected"`,
    [now, now - 7 * DAY_MS, timeZone],
  );
  return result.rows[0]!;
}

export interface DailyActivity {
  /** The calendar day, `2026-12-02`. */
  day: string;
  purchases: number;
  refunds: number;
  recovered: number;
}

/**
 * Applied purchases and refunds per day (event time) over the last `days` days, and dunning cases
 * recovered per day; days are the calendar days of `timeZone`, the creator's.
 */
export async function dailyActivity(
  db: Queryable,
  now: number,
  days: number,
  timeZone: string,
): Promise<DailyActivity[]> {
  const result = await db.query<DailyActivity>(
    `with bounds as (select (to_timestamp($1 / 1000.0) at time zone $3)::date as today),
     days as (select today - offset_days as day from bounds, generate_series(0, $2::int - 1) as offset_days),
     since as (select (min(day)::timestamp at time zone $3) as at from days),
     activity as (
       select (occurred_at at time zone $3)::date as day, event->>'kind' as kind, count(*) as n
         from deliveries, since
        where status = 'applied' and occurred_at >= since.at and event->>'kind' in ('purchase', 'refund')
        group by 1, 2),
     recovered as (
       select (closed_at at time zone $3)::date as day, count(*) as n
         from dunning_cases, since
        where state in ('recovered', 'recovered-after-loss') and closed_at >= since.at
        group by 1)
     select to_char(d.day, 'YYYY-MM-DD') as day,
            coalesce((select n from activity a where a.day = d.day and a.kind = 'purchase'), 0)::int as purchases,
            coalesce((select n from activity a where a.day = d.day and a.kind = 'refund'), 0)::int as refunds,
            coalesce((select n from recovered r where r.day = d.day), 0)::int as recovered
       from days d order by d.day`,
    [now, days, timeZone],
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
