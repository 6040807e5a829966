/**
 * Puts every HTTP request a connector makes through the shared, table-backed rate limiter.
 * Connectors make several requests per operation (find the tag, then apply it), so the budget is
 * taken per request, inside the fetch the connectors are built with. The caller opens a scope
 * naming the credential's budget; when the budget is spent the request is not sent and the scope
 * records how long to wait, which the caller turns into "retry later, no attempt spent".
 *
 * A scope also holds the credential's turn: one scope per credential at a time across all
 * processes. Jobs sharing a small budget one request each would otherwise each start operations
 * (read tags, then apply one) that none of them gets the requests to finish.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { CrmConnector } from '../../ports/crm-connector.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Pool } from '../../adapters/store/database.ts';
import {
  clearThrottles,
  endCredentialTurn,
  takeCredentialTurn,
  takeRateSlot,
} from '../../adapters/store/crm-rate-budgets.ts';

export interface RateBudgetScope {
  pool: Pool;
  clock: Clock;
  connector: Pick<CrmConnector, 'budgetKey' | 'budget'>;
  /** Set when a request was held back because the budget was spent. */
  spentForMs?: number;
  /**
   * When set, a request whose slot comes within WAIT_IN_TURN_MS waits for it here, holding the
   * credential's turn (no one else could use the budget meanwhile), instead of giving the job back
   * to the worker, which would only pick it up at its next poll: at a launch that poll delay cost
   * about a third of the budget. Real time only (a test's fake clock does not move while it sleeps).
   */
  sleep?: ((ms: number) => Promise<void>) | undefined;
}

/** The longest wait for a slot spent inside the turn rather than handed back to the worker. */
const WAIT_IN_TURN_MS = 1_000;

const scopes = new AsyncLocalStorage<RateBudgetScope>();

/** How long a turn is ours if the process dies holding it; far longer than any one contact's push. */
const TURN_LEASE_MS = 2 * 60_000;
/** How soon a caller turned away asks again, at most. */
const TURN_POLL_MS = 1_000;

/**
 * Runs `work` holding the credential's turn, with its CRM requests counted against
 * `scope.connector`'s budget. Throws RateBudgetSpent (and sets `scope.spentForMs`) when another
 * caller holds the turn or the budget is spent.
 */
export async function withinRateBudget<T>(scope: RateBudgetScope, work: () => Promise<T>): Promise<T> {
  const { budgetKey } = scope.connector;
  const holder = randomUUID();
  const turn = await takeCredentialTurn(scope.pool, budgetKey, holder, scope.clock.now(), TURN_LEASE_MS);
  if (!turn.granted) {
    scope.spentForMs = Math.min(turn.waitMs, TURN_POLL_MS);
    throw new RateBudgetSpent(scope.spentForMs);
  }
  try {
    return await scopes.run(scope, work);
  } finally {
    await endCredentialTurn(scope.pool, budgetKey, holder);
  }
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
    let slot = await takeRateSlot(scope.pool, budgetKey, budget, scope.clock.now());
    while (!slot.granted && scope.sleep && slot.waitMs <= WAIT_IN_TURN_MS) {
      // A tenth of the window more: the provider counts arrivals, and a request sent the instant its
      // slot opens can arrive inside the provider's window when the one before it travelled slower.
      await scope.sleep(slot.waitMs + budget.perMs / 10);
      slot = await takeRateSlot(scope.pool, budgetKey, budget, scope.clock.now());
    }
    if (!slot.granted) {
      scope.spentForMs = slot.waitMs;
      throw new RateBudgetSpent(slot.waitMs);
    }
    const response = await inner(input, init);
    if (response.status !== 429 && slot.throttlesInARow > 0) await clearThrottles(scope.pool, budgetKey);
    return response;
  };
}
