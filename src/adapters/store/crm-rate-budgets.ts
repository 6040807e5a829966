import type { RateBudget } from '../../ports/crm-connector.ts';
import { decideSlot } from '../../core/tag-sync/sliding-window.ts';
import { throttleWaitMs } from '../../core/tag-sync/throttle-wait.ts';
import { withTransaction, type Pool } from './database.ts';

export type SlotGrant = { granted: true; throttlesInARow: number } | { granted: false; waitMs: number };

/**
 * Takes one call from the credential's budget, or says how long until one frees up. The row is
 * locked (FOR UPDATE) for the decision, so every Handoff process on the database shares one
 * budget per credential.
 */
export async function takeRateSlot(pool: Pool, budgetKey: string, budget: RateBudget, now: number): Promise<SlotGrant> {
  return withTransaction(pool, async (client) => {
    await client.query(`insert into crm_rate_budgets (budget_key) values ($1) on conflict (budget_key) do nothing`, [
      budgetKey,
    ]);
    const result = await client.query<{ grants: number[]; blocked_until: number | null; throttles_in_a_row: number }>(
      `select grants, (extract(epoch from blocked_until) * 1000)::float8 as blocked_until, throttles_in_a_row
         from crm_rate_budgets where budget_key = $1 for update`,
      [budgetKey],
    );
    const row = result.rows[0]!;
    const decision = decideSlot(row.grants.map(Number), budget, now, row.blocked_until ?? -Infinity);
    await client.query(`update crm_rate_budgets set grants = $2 where budget_key = $1`, [budgetKey, decision.log]);
    return decision.granted
      ? { granted: true, throttlesInARow: row.throttles_in_a_row }
      : { granted: false, waitMs: decision.waitMs };
  });
}

/**
 * Holds back every call on the credential after a 429, for the provider's stated wait or a
 * guessed one (see throttleWaitMs). Returns the wait.
 */
export async function recordThrottle(
  pool: Pool,
  budgetKey: string,
  budget: RateBudget,
  retryAfterMs: number | undefined,
  now: number,
): Promise<number> {
  return withTransaction(pool, async (client) => {
    const result = await client.query<{ throttles_in_a_row: number }>(
      `insert into crm_rate_budgets (budget_key, throttles_in_a_row) values ($1, 1)
       on conflict (budget_key) do update set throttles_in_a_row = crm_rate_budgets.throttles_in_a_row + 1
       returning throttles_in_a_row`,
      [budgetKey],
    );
    const waitMs = throttleWaitMs(retryAfterMs, budget.perMs, result.rows[0]!.throttles_in_a_row);
    await client.query(
      `update crm_rate_budgets set blocked_until = greatest(coalesce(blocked_until, '-infinity'), to_timestamp($2 / 1000.0)) where budget_key = $1`,
      [budgetKey, now + waitMs],
    );
    return waitMs;
  });
}

/** The provider answered without a 429: the next guessed wait starts small again. */
export async function clearThrottles(pool: Pool, budgetKey: string): Promise<void> {
  await pool.query(`update crm_rate_budgets set throttles_in_a_row = 0 where budget_key = $1`, [budgetKey]);
}

export type TurnGrant = { granted: true } | { granted: false; waitMs: number };

/**
 * Takes the credential's turn for `holder` until `now + leaseMs` (the lease frees the turn of a
 * process that died holding it), or says how long the current holder may still keep it.
 */
export async function takeCredentialTurn(
  pool: Pool,
  budgetKey: string,
  holder: string,
  now: number,
  leaseMs: number,
): Promise<TurnGrant> {
  await pool.query(`insert into crm_rate_budgets (budget_key) values ($1) on conflict (budget_key) do nothing`, [
    budgetKey,
  ]);
  const taken = await pool.query(
    `update crm_rate_budgets set turn_holder = $2, turn_until = to_timestamp($4 / 1000.0)
      where budget_key = $1 and (turn_holder is null or turn_holder = $2 or turn_until <= to_timestamp($3 / 1000.0))`,
    [budgetKey, holder, now, now + leaseMs],
  );
  if (taken.rowCount === 1) return { granted: true };
  const current = await pool.query<{ turn_until: number | null }>(
    `select (extract(epoch from turn_until) * 1000)::float8 as turn_until from crm_rate_budgets where budget_key = $1`,
    [budgetKey],
  );
  return { granted: false, waitMs: Math.max(1, Math.ceil((current.rows[0]?.turn_until ?? now) - now)) };
}

export async function endCredentialTurn(pool: Pool, budgetKey: string, holder: string): Promise<void> {
  await pool.query(
    `update crm_rate_budgets set turn_holder = null, turn_until = null where budget_key = $1 and turn_holder = $2`,
    [budgetKey, holder],
  );
}
