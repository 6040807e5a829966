/** `2026-11-25` (UTC): the day people see in reasons and timelines. */
export function describeDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

/** `$14.99`-style amount for plain-words summaries; the currency code is added when not USD. */
export function describeMoney(cents: number, currency = 'USD'): string {
  const amount = (cents / 100).toFixed(2);
  return currency === 'USD' ? `$${amount}` : `${amount} ${currency}`;
}
