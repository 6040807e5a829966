import type { DailyActivity } from '../../../adapters/store/console-stats.ts';

type SeriesKey = 'purchases' | 'refunds' | 'recovered';

/** What the activity chart says in words: totals per series, and a sentence when there is nothing to draw. */
export function chartSummary<Series extends { key: SeriesKey; label: string }>(
  days: readonly DailyActivity[],
  series: readonly Series[],
): { totals: { series: Series; total: number }[]; text: string; empty: boolean; emptyText: string } {
  const totals = series.map((entry) => ({
    series: entry,
    total: days.reduce((sum, day) => sum + day[entry.key], 0),
  }));
  const names = series.map((entry) => entry.label.toLowerCase());
  const listed = `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
  return {
    totals,
    text: totals.map(({ series: entry, total }) => `${entry.label}: ${total}`).join(', '),
    empty: totals.every(({ total }) => total === 0),
    emptyText: `No ${listed} in the last ${days.length} days yet: the chart fills in as ThriveCart sends them.`,
  };
}
