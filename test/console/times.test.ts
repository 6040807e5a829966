import { describe, expect, it } from 'vitest';
import { ConsoleTimes, relativeTime } from '../../src/http/console/views/times.ts';

const NOW = Date.parse('2026-12-02T17:00:00Z');
const HOUR = 3_600_000;

describe('times in the console', () => {
  it('says how long ago (or how soon) in the words people use', () => {
    expect(relativeTime(NOW - 20_000, NOW)).toBe('just now');
    expect(relativeTime(NOW - 5 * 60_000, NOW)).toBe('5 min ago');
    expect(relativeTime(NOW - 3 * HOUR - 59 * 60_000, NOW)).toBe('3 h ago');
    expect(relativeTime(NOW - 30 * HOUR, NOW)).toBe('1 day ago');
    expect(relativeTime(NOW + 3 * 24 * HOUR, NOW)).toBe('in 3 days');
  });

  it('shows exact times in the configured zone, relative ones near now, and the exact one on hover', () => {
    const paris = new ConsoleTimes('Europe/Paris', NOW);
    expect(paris.exact(NOW)).toBe('2 Dec 2026, 18:00');
    expect(new ConsoleTimes('America/New_York', NOW).exact(NOW)).toBe('2 Dec 2026, 12:00');
    expect(paris.short(NOW - 3 * HOUR)).toBe('3 h ago');
    expect(paris.short(NOW - 10 * 24 * HOUR)).toBe('22 Nov 2026, 18:00');
    expect(paris.cell(NOW - 3 * HOUR).text).toBe(
      '<time datetime="2026-12-02T14:00:00.000Z" title="2 Dec 2026, 15:00 (Europe/Paris)">3 h ago</time>',
    );
    expect(paris.cell(null).text).toBe('');
    expect(paris.day(Date.parse('2026-11-30T23:30:00Z'))).toBe('1 Dec');
  });
});
