import type { RateBudget } from '../../ports/crm-connector.ts';

export type SlotDecision = { granted: true; log: number[] } | { granted: false; waitMs: number; log: number[] };

/**
 * A sliding-window log: a call is granted when fewer than `budget.requests` calls were granted
 * in the trailing `budget.perMs`, so no window of that length ever holds more (a token bucket
 * would allow a double burst across a refill). `log` holds the grant times still inside the
 * window; the returned log is what to store.
 */
export function decideSlot(
  log: readonly number[],
  budget: RateBudget,
  now: number,
  blockedUntil: number,
): SlotDecision {
  const recent = log.filter((at) => at > now - budget.perMs).sort((a, b) => a - b);
  const windowWaitMs =
    recent.length < budget.requests ? 0 : recent[recent.length - budget.requests]! + budget.perMs - now;
  // Whole milliseconds, rounded up: a caller woken by the wait always finds the slot free.
  const waitMs = Math.ceil(Math.max(windowWaitMs, blockedUntil - now));
  if (waitMs > 0) return { granted: false, waitMs, log: recent };
  // Stored rounded up to whole milliseconds: a grant never leaves the window before it really does.
  return { granted: true, log: [...recent, Math.ceil(now)] };
}
