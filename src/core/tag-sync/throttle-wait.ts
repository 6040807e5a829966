/** A "Retry-After: 0" still gets a pause, so a refusing provider is never hammered. */
const MIN_WAIT_MS = 1_000;
/**
 * The longest Handoff waits after a 429 that gave no wait time. A credential still refused after
 * its whole budget window is throttled for another reason (another app on the key, concurrent
 * updates of one subscriber); one probe every few minutes costs nothing and recovers quickly.
 */
const MAX_GUESSED_WAIT_MS = 5 * 60_000;
/** Kit's advice for its header-less 429: wait up to 60 s, then back off exponentially. */
const FIRST_GUESSED_WAIT_CAP_MS = 60_000;

/**
 * How long every caller of one credential waits after a 429. The provider's own figure
 * (Retry-After, X-Rate-Limit-Reset) wins. Without one (Kit, Keap, Drip): the budget window, at
 * most 60 s, doubled for each 429 in a row, at most 5 minutes (Drip says "try again in an hour",
 * but its same 429 also means "too many concurrent requests for one subscriber", which clears in
 * seconds).
 */
export function throttleWaitMs(
  retryAfterMs: number | undefined,
  budgetWindowMs: number,
  throttlesInARow: number,
): number {
  if (retryAfterMs !== undefined) return Math.max(retryAfterMs, MIN_WAIT_MS);
  const first = Math.min(budgetWindowMs, FIRST_GUESSED_WAIT_CAP_MS);
  return Math.min(first * 2 ** Math.max(0, throttlesInARow - 1), MAX_GUESSED_WAIT_MS);
}
