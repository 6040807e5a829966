/**
 * Waits after failed attempts 1, 2, 3... (Svix's schedule, which follows the Standard Webhooks
 * example): about 27 hours from the first attempt to the last, 8 attempts in all.
 */
export const RETRY_DELAYS_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

/** A receiver may ask for a longer wait with Retry-After, but not for days. */
export const MAX_RETRY_AFTER_MS = 86_400_000;

/**
 * The wait after failed attempt `attempt` (1-based), or null when it was the last. `random` is in
 * [0, 1): ±20 % jitter so endpoints that failed together do not retry in lockstep.
 */
export function retryDelay(attempt: number, random: number): number | null {
  const base = RETRY_DELAYS_MS[attempt - 1];
  if (base === undefined) return null;
  return Math.round(base * (0.8 + 0.4 * random));
}

/** Total attempts before a delivery gives up. */
export const MAX_ATTEMPTS = RETRY_DELAYS_MS.length + 1;

/**
 * The wait a Retry-After header asks for (seconds, or an HTTP date relative to `now`), capped;
 * null when absent or unreadable.
 */
export function retryAfterMs(header: string | null, now: number): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  const wait = /^\d+$/.test(trimmed) ? Number(trimmed) * 1000 : Date.parse(trimmed) - now;
  if (!Number.isFinite(wait)) return null;
  return Math.min(Math.max(wait, 0), MAX_RETRY_AFTER_MS);
}
