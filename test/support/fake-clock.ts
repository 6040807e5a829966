import type { Clock } from '../../src/ports/clock.ts';

/** A clock tests move by hand: weeks of timers pass in milliseconds. */
export class FakeClock implements Clock {
  constructor(private current: number = Date.parse('2026-11-02T09:00:00Z')) {}

  now(): number {
    return this.current;
  }

  set(at: Date | number): void {
    this.current = typeof at === 'number' ? at : at.getTime();
  }

  advance(ms: number): void {
    this.current += ms;
  }

  advanceDays(days: number): void {
    this.advance(days * 86_400_000);
  }
}
