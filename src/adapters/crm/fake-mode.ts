/**
 * The failure modes every fake CRM offers (HTTP fakes and the in-process memory CRM alike), kept
 * apart from the HTTP fake machinery so the memory connector does not pull in a server.
 */

/** `rate-limited` answers every call with the provider's 429; `outage` with its 5xx. */
export type FakeMode = 'normal' | 'rate-limited' | 'outage';

/** How long a fake in `rate-limited` mode tells callers to wait (where its provider says at all). */
export const RATE_LIMITED_MODE_WAIT_SECONDS = 7;
