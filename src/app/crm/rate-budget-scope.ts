/**
 * Puts every HTTP request a connector makes through the shared, table-backed rate limiter.
 * Connectors make several requests per operation (find the tag, then apply it), so the budget is
 * taken per request, inside the fetch the connectors are built with. The caller opens a scope
 * naming the credential's budget; when the budget is spent the request is not sent and the scope
 * records how long to wait, which the caller turns into "retry later, no attempt spent".
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { CrmConnector } from '../../ports/crm-connector.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Pool } from '../../adapters/store/database.ts';
import { clearThrottles, takeRateSlot } from '../../adapters/store/crm-rate-budgets.ts';

export interface RateBudgetScope {
  pool: Pool;
  clock: Clock;
  connector: Pick<CrmConnector, 'budgetKey' | 'budget'>;
  /** Set when a request was held back because the budget was spent. */
  spentForMs?: number;
}

const scopes = new AsyncLocalStorage<RateBudgetScope>();

/** Runs `work` with its CRM requests counted against `scope.connector`'s budget. */
export function withinRateBudget<T>(scope: RateBudgetScope, work: () => Promise<T>): Promise<T> {
  return scopes.run(scope, work);
}

export class RateBudgetSpent extends Error {
  override readonly name = 'RateBudgetSpent';
  constructor(readonly waitMs: number) {
    super(`rate budget spent; next request allowed in ${Math.ceil(waitMs / 1000)} s`);
  }
}

/** The fetch every HTTP connector is built with. */
export function rateBudgetedFetch(inner: typeof fetch = globalThis.fetch): typeof fetch {
  return async (input, init) => {
    const scope = scopes.getStore();
    // A request outside a scope would escape the shared budget: a bug, never a runtime condition.
    if (!scope) throw new Error('CRM request made outside withinRateBudget()');
    const { budgetKey, budget } = scope.connector;
    const slot = await takeRateSlot(scope.pool, budgetKey, budget, scope.clock.now());
    if (!slot.granted) {
      scope.spentForMs = slot.waitMs;
      throw new RateBudgetSpent(slot.waitMs);
    }
    const response = await inner(input, init);
    if (response.status !== 429 && slot.throttlesInARow > 0) await clearThrottles(scope.pool, budgetKey);
    return response;
  };
}
