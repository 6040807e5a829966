import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CommerceEvent, ItemKey } from '../../src/core/events.ts';
import { foldLedger, type HistoryEntry } from '../../src/core/ledger/fold.ts';
import { ledgerRules } from '../../src/core/ledger/rules.ts';
import { testConfig } from '../support/test-config.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-01-01T00:00:00Z');
const rules = ledgerRules(testConfig());
const customer = {
  thrivecartId: '429583657727489355',
  email: 'perm@example.com',
  firstName: 'Per',
  lastName: 'Mutation',
};

function event(kind: CommerceEvent['kind'], day: number, item: ItemKey = 'product-40'): CommerceEvent {
  const base = { occurredAt: START + day * DAY, live: true, customer };
  switch (kind) {
    case 'purchase':
      return {
        ...base,
        kind,
        orderId: '900',
        invoiceId: '000900',
        currency: 'USD',
        items: [
          {
            item,
            name: 'Community',
            amountCents: 4700,
            pricingOptionId: null,
            recurring: true,
            thrivecartSubscriptionId: '5001',
            nextChargeAt: START + 30 * DAY,
          },
        ],
      };
    case 'renewal':
      return {
        ...base,
        kind,
        orderId: '900',
        item,
        invoiceId: `000900-${day}`,
        amountCents: 4700,
        paymentIndex: 1,
        nextPaymentAt: base.occurredAt + 30 * DAY,
        remainingRebills: null,
      };
    case 'payment_failed':
      return { ...base, kind, orderId: '900', item, invoiceId: `000900-${day}`, amountCents: 4700 };
    case 'refund':
      return { ...base, kind, orderId: '900', item, amountCents: 4700 };
    case 'cancellation':
      return { ...base, kind, orderId: '900', item, paidThrough: base.occurredAt + 20 * DAY };
    default:
      return { ...base, kind: 'customer_updated' };
  }
}

/** One customer's realistic history: purchase, renewals, failures, a refund and a cancellation. */
const HISTORY: HistoryEntry[] = [
  event('purchase', 0),
  event('renewal', 30),
  event('payment_failed', 60),
  event('payment_failed', 63),
  event('renewal', 65),
  event('payment_failed', 90),
  event('refund', 95),
  event('cancellation', 96),
].map((entry, index) => ({ deliveryId: index + 1, event: entry }));

function outcome(history: HistoryEntry[], now: number): unknown {
  const { projection } = foldLedger(history, rules, now);
  return {
    tags: Object.keys(projection.tags).sort(),
    access: projection.access,
    nextChangeAt: projection.nextChangeAt,
    state: projection.state,
  };
}

describe('folding a history', () => {
  it('ends in the same state whatever order the deliveries arrived in (500 permutations)', () => {
    const now = START + 200 * DAY;
    const expected = outcome(HISTORY, now);
    fc.assert(
      fc.property(fc.shuffledSubarray(HISTORY, { minLength: HISTORY.length, maxLength: HISTORY.length }), (arrival) => {
        expect(outcome(arrival, now)).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('converges at every point in time, not only at the end', () => {
    for (const day of [1, 31, 61, 64, 66, 91, 95.5, 100, 120]) {
      const now = START + day * DAY;
      const known = HISTORY.filter((entry) => entry.event.occurredAt <= now);
      expect(outcome([...known].reverse(), now)).toEqual(outcome(known, now));
    }
  });

  it('explains every tag change in the timeline with its cause', () => {
    const { timeline } = foldLedger(HISTORY, rules, START + 200 * DAY);
    expect(timeline.map((entry) => [entry.summary.split(' (')[0], entry.tagChanges])).toEqual([
      ['Bought Community', [{ tag: 'Community - Access', change: 'added' }]],
      ['Paid $47.00 for Community', []],
      ['Payment for Community', [{ tag: 'Payment Failed', change: 'added' }]],
      ['Payment for Community', []],
      ['Paid $47.00 for Community', [{ tag: 'Payment Failed', change: 'removed' }]],
      ['Payment for Community', [{ tag: 'Payment Failed', change: 'added' }]],
      ['Refunded $47.00 of Community', [{ tag: 'Community - Revoke', change: 'added' }]],
      ['Cancelled Community', [{ tag: 'Payment Failed', change: 'removed' }]],
    ]);
  });

  it('revokes at the end of the grace period when a failed payment is never recovered, and a late payment restores access', () => {
    const failing = HISTORY.slice(0, 3);
    const during = foldLedger(failing, rules, START + 70 * DAY).projection;
    expect(during.access).toEqual([
      expect.objectContaining({ offering: 'community', granted: true, until: START + 74 * DAY }),
    ]);
    expect(during.nextChangeAt).toBe(START + 74 * DAY);
    const after = foldLedger(failing, rules, START + 75 * DAY);
    expect(after.projection.access).toEqual([expect.objectContaining({ granted: false })]);
    expect(after.timeline.at(-1)).toMatchObject({
      cause: { type: 'scheduled' },
      tagChanges: [{ tag: 'Community - Revoke', change: 'added' }],
    });
    const paidLate = foldLedger(
      [...failing, { deliveryId: 99, event: event('renewal', 80) }],
      rules,
      START + 81 * DAY,
    ).projection;
    expect(paidLate.access).toEqual([expect.objectContaining({ granted: true, until: null })]);
    expect(Object.keys(paidLate.tags)).toEqual(['Community - Access']);
  });
});
