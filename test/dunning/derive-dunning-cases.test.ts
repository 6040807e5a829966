import { describe, expect, it } from 'vitest';
import { deriveDunningCases } from '../../src/core/dunning/derive-dunning-cases.ts';
import type { CommerceEvent, CustomerRef } from '../../src/core/events.ts';
import type { HistoryEntry } from '../../src/core/ledger/fold.ts';
import { ledgerRules } from '../../src/core/ledger/rules.ts';
import { dunningConfig } from './dunning-harness.ts';

const DAY = 86_400_000;
const START = Date.parse('2026-11-02T09:00:00Z');
const CUSTOMER: CustomerRef = { thrivecartId: '1', email: 'kim@example.com', firstName: 'Kim', lastName: null };
const rules = ledgerRules(dunningConfig('smtp://127.0.0.1:2525'));

const ITEM = 'product-40' as const;

function at(day: number, kind: 'purchase' | 'renewal' | 'payment_failed' | 'cancellation'): CommerceEvent {
  const base = { occurredAt: START + day * DAY, live: true, customer: CUSTOMER, orderId: '9001' };
  switch (kind) {
    case 'purchase':
      return {
        ...base,
        kind,
        invoiceId: null,
        currency: 'EUR',
        items: [
          {
            item: ITEM,
            name: 'Kim Club',
            amountCents: 2900,
            pricingOptionId: null,
            recurring: true,
            thrivecartSubscriptionId: null,
            nextChargeAt: null,
          },
        ],
      };
    case 'renewal':
      return {
        ...base,
        kind,
        item: ITEM,
        invoiceId: null,
        amountCents: 2900,
        paymentIndex: null,
        nextPaymentAt: null,
        remainingRebills: null,
      };
    case 'payment_failed':
      return { ...base, kind, item: ITEM, invoiceId: null, amountCents: null };
    case 'cancellation':
      return { ...base, kind, item: ITEM, paidThrough: null };
  }
}

function history(...events: CommerceEvent[]): HistoryEntry[] {
  return events.map((event, index) => ({ deliveryId: index + 1, event }));
}

describe('deriveDunningCases (pure)', () => {
  it('opens a case at the first failure even when the deliveries arrived out of order', () => {
    const cases = deriveDunningCases(
      history(at(31, 'payment_failed'), at(0, 'purchase'), at(30, 'payment_failed')),
      rules,
      START + 32 * DAY,
    );
    expect(cases).toEqual([
      expect.objectContaining({
        episode: 1,
        state: 'open',
        openedAt: START + 30 * DAY,
        graceEndsAt: START + 44 * DAY,
        failures: 2,
        productName: 'Kim Club',
        amountDueCents: 2900,
        currency: 'EUR',
      }),
    ]);
    expect(cases[0]!.reminders).toEqual(
      [1, 2, 3].map((number, index) => ({ number, dueAt: START + (30 + [0, 3, 7][index]!) * DAY })),
    );
  });

  it('starts a second episode for a later failure after a recovery', () => {
    const cases = deriveDunningCases(
      history(at(0, 'purchase'), at(30, 'payment_failed'), at(32, 'renewal'), at(60, 'payment_failed')),
      rules,
      START + 61 * DAY,
    );
    expect(cases.map((dunningCase) => [dunningCase.episode, dunningCase.state, dunningCase.closedAt])).toEqual([
      [1, 'recovered', START + 32 * DAY],
      [2, 'open', null],
    ]);
  });

  it('is lost exactly when the grace period ends, not a moment earlier', () => {
    const events = history(at(0, 'purchase'), at(30, 'payment_failed'));
    expect(deriveDunningCases(events, rules, START + 44 * DAY - 1)[0]!.state).toBe('open');
    expect(deriveDunningCases(events, rules, START + 44 * DAY)[0]).toMatchObject({
      state: 'lost',
      lostAt: START + 44 * DAY,
    });
  });

  it('opens no case for an item without a dunning policy, nor for a failure after cancellation', () => {
    const cancelledFirst = history(at(0, 'purchase'), at(20, 'cancellation'), at(30, 'payment_failed'));
    expect(deriveDunningCases(cancelledFirst, rules, START + 31 * DAY)).toEqual([]);
    const withoutPolicy = ledgerRules({ ...dunningConfig('smtp://127.0.0.1:2525'), dunning: {} });
    expect(
      deriveDunningCases(history(at(0, 'purchase'), at(30, 'payment_failed')), withoutPolicy, START + 31 * DAY),
    ).toEqual([]);
  });
});
