import { describe, expect, it } from 'vitest';
import type { CommerceEvent } from '../../src/core/events.ts';
import { ledgerRules } from '../../src/core/ledger/rules.ts';
import { eventAmount, eventItems, eventLabel } from '../../src/http/console/views/delivery-view.ts';
import { testConfig } from '../support/test-config.ts';

const rules = ledgerRules(testConfig());
const customer = { thrivecartId: null, email: 'bea@example.com', firstName: null, lastName: null };
const base = { occurredAt: 0, live: true, customer };

const purchase: CommerceEvent = {
  ...base,
  kind: 'purchase',
  orderId: '1',
  invoiceId: null,
  currency: 'EUR',
  items: [
    {
      item: 'product-12',
      name: 'Focus Course',
      amountCents: 4700,
      pricingOptionId: null,
      recurring: false,
      thrivecartSubscriptionId: null,
      nextChargeAt: null,
    },
    {
      item: 'bump-12',
      name: '',
      amountCents: 1200,
      pricingOptionId: null,
      recurring: false,
      thrivecartSubscriptionId: null,
      nextChargeAt: null,
    },
  ],
};

describe('a delivery as the deliveries list shows it', () => {
  it("names the event in words, from the event or, when there is none, from ThriveCart's name", () => {
    expect(eventLabel('order.success', purchase)).toBe('Purchase');
    expect(eventLabel('import.purchase', purchase)).toBe('Purchase (imported)');
    expect(eventLabel('order.rebill_failed', null)).toBe('Payment failed');
    expect(eventLabel('order.subscription_cancelled', null)).toBe('Cancelled');
    expect(eventLabel('affiliate.commission_earned', null)).toBe('Affiliate commission');
    expect(eventLabel('order.something_new', null)).toBe('order.something_new');
    expect(eventLabel('', null)).toBe('Unnamed call');
  });

  it('names the items as ThriveCart did, else as the configuration maps them', () => {
    expect(eventItems(purchase, rules)).toBe('Focus Course, Focus Workbook');
    const refund: CommerceEvent = { ...base, kind: 'refund', orderId: '1', item: 'product-12', amountCents: 2000 };
    expect(eventItems(refund, rules)).toBe('Focus Course');
    expect(eventItems({ ...refund, itemName: 'Focus Course (2026)' }, rules)).toBe('Focus Course (2026)');
    expect(eventItems({ ...refund, item: 'product-99' }, rules)).toBe('product-99');
    expect(eventItems(null, rules)).toBe('');
  });

  it("shows what money moved: a purchase's total, a refund as negative, a failed payment as due", () => {
    expect(eventAmount(purchase)).toBe('59.00 EUR');
    expect(eventAmount({ ...base, kind: 'refund', orderId: '1', item: 'product-12', amountCents: 2000 })).toBe(
      '−$20.00',
    );
    expect(
      eventAmount({
        ...base,
        kind: 'payment_failed',
        orderId: '1',
        item: 'product-40',
        invoiceId: null,
        amountCents: 900,
      }),
    ).toBe('$9.00 due');
    expect(eventAmount({ ...base, kind: 'customer_updated' })).toBe('');
  });
});
