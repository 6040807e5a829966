import { DAY_MS } from '../../../core/time.ts';
import { html, type SafeHtml } from '../html.ts';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
/** Closer than this to now, a time reads better as "3 h ago"; further, as a date. */
const RELATIVE_WITHIN_MS = 2 * DAY_MS;

const formats = new Map<string, { exact: Intl.DateTimeFormat; day: Intl.DateTimeFormat }>();

/** Formatters are costly to build and the zone is fixed by the configuration: one pair per zone. */
function formatsFor(zone: string): { exact: Intl.DateTimeFormat; day: Intl.DateTimeFormat } {
  let pair = formats.get(zone);
  if (!pair) {
    pair = {
      exact: new Intl.DateTimeFormat('en-GB', {
        timeZone: zone,
        dateStyle: 'medium',
        timeStyle: 'short',
      }),
      day: new Intl.DateTimeFormat('en-GB', { timeZone: zone, day: 'numeric', month: 'short' }),
    };
    formats.set(zone, pair);
  }
  return pair;
}

/** The zone this server runs in: the console's default when `console.timeZone` is not set. */
export function serverTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** "3 h ago", "in 2 days", "just now": a distance from now in the words people use. */
export function relativeTime(at: number, now: number): string {
  const distance = Math.abs(now - at);
  const words =
    distance < MINUTE_MS
      ? null
      : distance < HOUR_MS
        ? `${Math.floor(distance / MINUTE_MS)} min`
        : distance < DAY_MS
          ? `${Math.floor(distance / HOUR_MS)} h`
          : `${Math.floor(distance / DAY_MS)} day${distance < 2 * DAY_MS ? '' : 's'}`;
  if (words === null) return 'just now';
  return at <= now ? `${words} ago` : `in ${words}`;
}

/** Times as the creator reads them: in their zone, relative to now when that is clearer. */
export class ConsoleTimes {
  constructor(
    readonly zone: string,
    readonly now: number,
  ) {}

  /** "2 Dec 2026, 14:03" in the creator's zone. */
  exact(at: number | string): string {
    return formatsFor(this.zone).exact.format(toEpoch(at));
  }

  /** "2 Dec", for a chart's axis. */
  day(at: number): string {
    return formatsFor(this.zone).day.format(at);
  }

  /** What a table shows: relative when close to now, else the exact time. */
  short(at: number | string): string {
    const epoch = toEpoch(at);
    return Math.abs(this.now - epoch) < RELATIVE_WITHIN_MS ? relativeTime(epoch, this.now) : this.exact(epoch);
  }

  /** A <time> element: the short form, the exact time (and zone) on hover; empty for no time. */
  cell(at: number | string | null | undefined): SafeHtml {
    if (at === null || at === undefined) return html``;
    const epoch = toEpoch(at);
    const title = `${this.exact(epoch)} (${this.zone})`;
    return html`<time datetime="${new Date(epoch).toISOString()}" title="${title}">${this.short(epoch)}</time>`;
  }
}

function toEpoch(at: number | string): number {
  return typeof at === 'string' ? Date.parse(at) : at;
}

/** The times of one request: the configured zone (else the server's) and the clock's now. */
export function consoleTimes(ctx: {
  config: { console?: { timeZone?: string } };
  clock: { now(): number };
}): ConsoleTimes {
  return new ConsoleTimes(ctx.config.console?.timeZone ?? serverTimeZone(), ctx.clock.now());
}
