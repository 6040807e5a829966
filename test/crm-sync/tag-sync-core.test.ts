/** The pure decisions under CRM sync: what to push, and when the next request may go. */
import { describe, expect, it } from 'vitest';
import { detailsToPush } from '../../src/core/tag-sync/contact-details.ts';
import { managedTags } from '../../src/core/tag-sync/managed-tags.ts';
import { decideSlot } from '../../src/core/tag-sync/sliding-window.ts';
import { diffManagedTags, heldInOtherCase } from '../../src/core/tag-sync/tag-diff.ts';
import { throttleWaitMs } from '../../src/core/tag-sync/throttle-wait.ts';
import { testConfig } from '../support/test-config.ts';

describe('managed tags', () => {
  it('are every access, revoke, item, failed-payment and paid-in-full tag of the config', () => {
    expect([...managedTags(testConfig())].sort()).toEqual([
      'Bought Focus',
      'Community - Access',
      'Community - Paid in full',
      'Community - Revoke',
      'Focus - Access',
      'Focus - Revoke',
      'Masterclass - Access',
      'Masterclass - Revoke',
      'Payment Failed',
      'Workbook - Access',
      'Workbook - Revoke',
    ]);
  });
});

describe('diffManagedTags', () => {
  const managed = new Set(['A', 'B', 'C']);

  it('adds what is wanted and missing, removes what is held and unwanted, and ignores unmanaged tags', () => {
    expect(diffManagedTags(['A', 'B', 'Hand-made'], ['B', 'C', 'Webinar'], managed)).toEqual({
      add: ['A'],
      remove: ['C'],
    });
  });

  it('is empty when the CRM already matches', () => {
    expect(diffManagedTags(['B', 'A'], ['A', 'B'], managed)).toEqual({ add: [], remove: [] });
  });

  it('where the CRM ignores letter case, takes "vip" held for the managed "VIP", and names removals as configured', () => {
    const caseManaged = new Set(['VIP', 'Old']);
    expect(diffManagedTags(['VIP'], ['vip', 'OLD', 'Webinar'], caseManaged, { ignoreCase: true })).toEqual({
      add: [],
      remove: ['Old'],
    });
    // Compared exactly, the same names are drift both ways (the rule for a CRM where case tells tags apart).
    expect(diffManagedTags(['VIP'], ['vip', 'OLD'], caseManaged)).toEqual({ add: ['VIP'], remove: [] });
  });
});

describe('heldInOtherCase', () => {
  it('pairs each missing tag with the spelling held in other letter case, and only those', () => {
    expect(heldInOtherCase(['VIP', 'Gold', 'New'], ['vip', 'Gold', 'Webinar'])).toEqual(new Map([['VIP', 'vip']]));
  });
});

describe('detailsToPush', () => {
  it('sends everything the first time, blank names as null', () => {
    expect(detailsToPush({ email: 'a@example.com', firstName: 'Ada', lastName: '  ' }, null)).toEqual({
      email: 'a@example.com',
      firstName: 'Ada',
      lastName: null,
    });
  });

  it('sends nothing when nothing changed, or when only a name became unknown (a blank never overwrites)', () => {
    const pushed = { email: 'a@example.com', firstName: 'Ada', lastName: 'Lovelace' };
    expect(detailsToPush(pushed, pushed)).toBeNull();
    expect(detailsToPush({ ...pushed, lastName: null }, pushed)).toBeNull();
  });

  it('sends again when the e-mail or a name changed', () => {
    const pushed = { email: 'a@example.com', firstName: 'Ada', lastName: 'Lovelace' };
    expect(detailsToPush({ ...pushed, lastName: 'King' }, pushed)).toEqual({ ...pushed, lastName: 'King' });
    expect(detailsToPush({ ...pushed, email: 'b@example.com' }, pushed)).toEqual({ ...pushed, email: 'b@example.com' });
  });
});

describe('decideSlot (sliding-window log)', () => {
  const budget = { requests: 2, perMs: 1000 };

  it('grants until the window holds the budget, then waits for the oldest grant to leave it', () => {
    const first = decideSlot([], budget, 0, -Infinity);
    const second = decideSlot(first.log, budget, 300, -Infinity);
    const third = decideSlot(second.log, budget, 600, -Infinity);
    expect([first.granted, second.granted, third]).toEqual([
      true,
      true,
      { granted: false, waitMs: 400, log: [0, 300] },
    ]);
    expect(decideSlot(second.log, budget, 1000, -Infinity)).toEqual({ granted: true, log: [300, 1000] });
  });

  it('never lets a window of the budget length hold more than the budget, whatever the call times', () => {
    let log: number[] = [];
    const granted: number[] = [];
    for (let at = 0; at < 10_000; at += 137.3) {
      const decision = decideSlot(log, budget, at, -Infinity);
      log = decision.log;
      if (decision.granted) granted.push(at);
    }
    for (const at of granted)
      expect(granted.filter((other) => other > at - budget.perMs && other <= at).length).toBeLessThanOrEqual(
        budget.requests,
      );
  });

  it('holds everything back until a 429 wait is over', () => {
    expect(decideSlot([], budget, 1000, 8000)).toEqual({ granted: false, waitMs: 7000, log: [] });
  });
});

describe('throttleWaitMs', () => {
  it("honours the provider's own wait", () => {
    expect(throttleWaitMs(7000, 60_000, 3)).toBe(7000);
  });

  it('without one, waits the budget window (at most 60 s), doubling per 429 in a row up to 5 minutes', () => {
    expect([1, 2, 3, 4].map((inARow) => throttleWaitMs(undefined, 60_000, inARow))).toEqual([
      60_000, 120_000, 240_000, 300_000,
    ]);
    expect(throttleWaitMs(undefined, 3_600_000, 1)).toBe(60_000);
    expect(throttleWaitMs(undefined, 1000, 1)).toBe(1000);
  });
});
