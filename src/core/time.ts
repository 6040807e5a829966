/** One day in epoch milliseconds: periods, grace and reminder days are whole days. */
export const DAY_MS = 86_400_000;
