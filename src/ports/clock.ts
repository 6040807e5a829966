/** The only source of "now" outside tests' fake clocks; the core never reads time itself. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };
