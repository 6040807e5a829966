/**
 * For commands run by a person (reconcile, doctor): instead of giving up when the shared budget
 * is spent or the CRM says 429, wait as long as asked and try the same step again.
 */
import { CrmError } from '../../ports/crm-connector.ts';
import { recordThrottle } from '../../adapters/store/crm-rate-budgets.ts';
import type { AppContext } from '../context.ts';
import type { CrmConnection } from './crm-connections.ts';
import { withinRateBudget, type RateBudgetScope } from './rate-budget-scope.ts';

export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((wake) => setTimeout(wake, ms));

/** A person waiting on a web page waits this long at most for one throttled step. */
const LONGEST_WAIT_FOR_A_PERSON_MS = 3_000;

/** For requests a person waits on (console buttons): short waits are slept, a long one gives up with a message. */
export const sleepWhileSomeoneWaits: Sleep = (ms) =>
  ms > LONGEST_WAIT_FOR_A_PERSON_MS
    ? Promise.reject(new Error(`the CRM asked to wait ${Math.ceil(ms / 1000)} s; try again in a minute`))
    : realSleep(ms);

/** Gives up after this many waits in a row for one step: something is wrong beyond throttling. */
const MAX_WAITS = 50;

export async function withPatience<T>(
  ctx: AppContext,
  connection: CrmConnection,
  sleep: Sleep,
  step: () => Promise<T>,
): Promise<T> {
  for (let waits = 0; ; waits += 1) {
    const scope: RateBudgetScope = { pool: ctx.pool, clock: ctx.clock, connector: connection.connector };
    try {
      return await withinRateBudget(scope, step);
    } catch (error) {
      if (waits >= MAX_WAITS) throw error;
      if (scope.spentForMs !== undefined) {
        await sleep(scope.spentForMs);
      } else if (error instanceof CrmError && error.kind === 'rate_limited') {
        const { budgetKey, budget } = connection.connector;
        await sleep(await recordThrottle(ctx.pool, budgetKey, budget, error.details.retryAfterMs, ctx.clock.now()));
      } else {
        throw error;
      }
    }
  }
}
