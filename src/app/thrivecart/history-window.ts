/**
 * The dates an import or a reconcile looks at (`--since 2025-01-01 --until 2025-06-30`).
 * ThriveCart's `GET /transactions` has no date filter (docs/thrivecart-api.md): pages come newest
 * first, so rows after `until` are skipped and paging stops at the first page whose every row is
 * before `since`. A row whose time cannot be read is kept: dropping it could hide a refund.
 */
import { timeOf } from '../../adapters/sources/thrivecart/api-history.ts';
import { DAY_MS } from '../../core/time.ts';
import {
  TRANSACTIONS_PER_PAGE,
  type ApiTransaction,
  type ThriveCartApi,
} from '../../adapters/sources/thrivecart/api-client.ts';

export interface HistoryWindow {
  /** Epoch ms, inclusive; null for the beginning. */
  since: number | null;
  /** Epoch ms, inclusive; null for now. */
  until: number | null;
}

export const WHOLE_HISTORY: HistoryWindow = { since: null, until: null };

export class WindowError extends Error {
  override readonly name = 'WindowError';
}

/** `--since`/`--until` as typed: a `YYYY-MM-DD` day (UTC), since from its start, until to its end. */
export function parseHistoryWindow(since: string | undefined, until: string | undefined): HistoryWindow {
  const window = { since: dayAt(since, '--since', 0), until: dayAt(until, '--until', DAY_MS - 1) };
  if (window.since !== null && window.until !== null && window.since > window.until)
    throw new WindowError(`--since ${since} is after --until ${until}`);
  return window;
}

function dayAt(text: string | undefined, option: string, offsetMs: number): number | null {
  if (text === undefined) return null;
  const day = text.trim();
  const at = /^\d{4}-\d{2}-\d{2}$/.test(day) ? Date.parse(`${day}T00:00:00Z`) : Number.NaN;
  // Date.parse rolls 2025-02-30 over into March: the day must come back as typed.
  if (Number.isNaN(at) || new Date(at).toISOString().slice(0, 10) !== day)
    throw new WindowError(`${option} expects a day as YYYY-MM-DD (e.g. 2025-01-01), not "${text}"`);
  return at + offsetMs;
}

export function inWindow(row: ApiTransaction, window: HistoryWindow): boolean {
  const at = timeOf(row.timestamp);
  if (at === null) return true;
  return (window.since === null || at >= window.since) && (window.until === null || at <= window.until);
}

/** Whether no later page can hold a row of the window: this one is all before `since`. */
export function pastWindow(page: readonly ApiTransaction[], window: HistoryWindow): boolean {
  if (window.since === null || page.length === 0) return false;
  return page.every((row) => {
    const at = timeOf(row.timestamp);
    return at !== null && at < window.since!;
  });
}

/** The window in words, for plans and reports. */
export function describeWindow(window: HistoryWindow): string {
  const day = (at: number) => new Date(at).toISOString().slice(0, 10);
  if (window.since === null && window.until === null) return 'the whole history';
  if (window.until === null) return `from ${day(window.since!)}`;
  if (window.since === null) return `until ${day(window.until)}`;
  return `from ${day(window.since)} to ${day(window.until)}`;
}

/**
 * Walks `GET /transactions` from `firstPage` until a short page or a page all before the window,
 * handing each page's rows in the window to `onPage` (with whether it was the last).
 */
export async function walkTransactions(
  api: ThriveCartApi,
  window: HistoryWindow,
  firstPage: number,
  onPage: (page: number, rows: ApiTransaction[], last: boolean) => Promise<void>,
): Promise<void> {
  for (let page = firstPage, last = false; !last; page += 1) {
    const rows = await api.transactions(page);
    last = rows.length < TRANSACTIONS_PER_PAGE || pastWindow(rows, window);
    await onPage(
      page,
      rows.filter((row) => inWindow(row, window)),
      last,
    );
  }
}
