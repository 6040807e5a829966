import type { Clock } from '../../ports/clock.ts';

const MAX_FAILURES = 10;
const WINDOW_MS = 15 * 60_000;

/** Slows password guessing: after 10 failed logins from one address, 15 minutes of refusals. */
export class LoginThrottle {
  private readonly failures = new Map<string, { count: number; since: number }>();

  constructor(private readonly clock: Clock) {}

  allow(address: string): boolean {
    const entry = this.failures.get(address);
    if (!entry) return true;
    if (this.clock.now() - entry.since > WINDOW_MS) {
      this.failures.delete(address);
      return true;
    }
    return entry.count < MAX_FAILURES;
  }

  fail(address: string): void {
    const entry = this.failures.get(address);
    if (entry && this.clock.now() - entry.since <= WINDOW_MS) entry.count += 1;
    else this.failures.set(address, { count: 1, since: this.clock.now() });
  }
}
