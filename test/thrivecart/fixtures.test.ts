/** Bodies shaped like the public captures (docs/thrivecart-webhooks.md §4), not built by our builder. */
import { describe, expect, it } from 'vitest';
import { thrivecartDedupKey } from '../../src/adapters/sources/thrivecart/dedup-key.ts';
import { normaliseThriveCart } from '../../src/adapters/sources/thrivecart/normalise.ts';
import { verifyThriveCart } from '../../src/adapters/sources/thrivecart/verify.ts';
import { FIXTURE_ACCOUNT, FIXTURE_SECRET, fixture } from './fixtures.ts';

const CREDENTIALS = { account: FIXTURE_ACCOUNT, secret: FIXTURE_SECRET };
const PATTI = {
  thrivecartId: '429583657898226838',
  email: 'patti@example.org',
  firstName: 'Patti & Jo',
  lastName: 'Lee',
};

describe('order.success with a bump and an upsell', () => {
  const expected = {
    kind: 'purchase',
    occurredAt: 1_699_487_300_000,
    live: true,
    customer: {
      thrivecartId: '429583657727489355',
      email: 'tobias.strebitzer@example.com',
      firstName: 'Tobias',
      lastName: 'Strebitzer',
    },
    orderId: '23370556',
    invoiceId: '000001382',
    currency: 'USD',
    items: [
      {
        item: 'product-12',
        name: 'Mobile & Universal App Pro',
        amountCents: 499_700,
        pricingOptionId: '83322',
        recurring: true,
        thrivecartSubscriptionId: '3498819',
        nextChargeAt: 1_731_109_699_000,
        quantity: 1,
        frequency: 'year',
      },
      {
        item: 'bump-12',
        name: 'Launch Checklist & Templates',
        amountCents: 2_700,
        pricingOptionId: '83323',
        recurring: false,
        thrivecartSubscriptionId: null,
        nextChargeAt: null,
        quantity: 1,
        frequency: null,
      },
      {
        item: 'upsell-2',
        name: 'Done-For-You Setup',
        amountCents: 66_000,
        pricingOptionId: '83324',
        recurring: false,
        thrivecartSubscriptionId: null,
        nextChargeAt: null,
        quantity: 1,
        frequency: null,
      },
    ],
    accessibleItems: ['product-12', 'bump-12', 'upsell-2'],
  };

  it.each(['order-success-bump-upsell.form.txt', 'order-success-bump-upsell.json'])('%s', (name) => {
    const fields = fixture(name);
    expect(verifyThriveCart(fields, CREDENTIALS)).toEqual({ ok: true });
    expect(normaliseThriveCart(fields)).toEqual(expected);
  });

  it('gives the form and JSON encodings the same dedup key', () => {
    expect(thrivecartDedupKey(fixture('order-success-bump-upsell.form.txt'))).toBe(
      thrivecartDedupKey(fixture('order-success-bump-upsell.json')),
    );
  });
});

describe('later events (original order block from 2020-01-24, total 6900)', () => {
  it.each(['order-subscription-payment.json', 'order-subscription-payment.form.txt'])('%s → renewal #6', (name) => {
    expect(normaliseThriveCart(fixture(name))).toEqual({
      kind: 'renewal',
      occurredAt: 1_595_567_854_000,
      live: true,
      customer: PATTI,
      orderId: '3230022',
      item: 'product-17',
      invoiceId: '000000141-6',
      amountCents: 6900,
      paymentIndex: 6,
      nextPaymentAt: 1_598_246_253_000,
      remainingRebills: null,
      frequency: 'month',
      itemName: '$69/Month EngageMore',
      thrivecartSubscriptionId: '1988231',
    });
  });

  it('order.rebill_failed → payment_failed', () => {
    expect(normaliseThriveCart(fixture('order-rebill-failed.form.txt'))).toEqual({
      kind: 'payment_failed',
      occurredAt: 1_598_246_260_000,
      live: true,
      customer: PATTI,
      orderId: '3230022',
      item: 'product-17',
      invoiceId: '000000141-7',
      amountCents: 6900,
      itemName: '$69/Month EngageMore',
      thrivecartSubscriptionId: '1988231',
    });
  });

  it.each(['order-subscription-cancelled.form.txt', 'order-subscription-cancelled.json'])(
    '%s → cancellation',
    (name) => {
      expect(normaliseThriveCart(fixture(name))).toEqual({
        kind: 'cancellation',
        occurredAt: 1_599_044_589_000,
        live: true,
        customer: PATTI,
        orderId: '3230022',
        item: 'product-17',
        paidThrough: 1_600_919_853_000,
        itemName: '$69/Month EngageMore',
        thrivecartSubscriptionId: '1988231',
      });
    },
  );

  it('paused and resumed', () => {
    expect(normaliseThriveCart(fixture('order-subscription-paused.form.txt'))).toMatchObject({
      kind: 'paused',
      occurredAt: 1_596_272_400_000,
      item: 'product-17',
    });
    expect(normaliseThriveCart(fixture('order-subscription-resumed.form.txt'))).toMatchObject({
      kind: 'resumed',
      occurredAt: 1_597_482_000_000,
      item: 'product-17',
    });
  });

  it('order.refund (test mode, blank names, partial amount)', () => {
    expect(normaliseThriveCart(fixture('order-refund.json'))).toEqual({
      kind: 'refund',
      occurredAt: 1_761_328_647_000,
      live: false,
      customer: { thrivecartId: '429583657898226838', email: 'rb+2@example.com', firstName: null, lastName: null },
      orderId: '38033257',
      item: 'product-7',
      amountCents: 2950,
      itemName: 'Funnel Analyzer Basic',
      thrivecartSubscriptionId: '5440433',
    });
  });
});

describe('other events', () => {
  it('customer_updated', () => {
    expect(normaliseThriveCart(fixture('customer-updated.form.txt'))).toEqual({
      kind: 'customer_updated',
      occurredAt: 1_776_679_200_000,
      live: true,
      customer: {
        thrivecartId: '429583657898226838',
        email: 'patti.new@example.org',
        firstName: 'Patti',
        lastName: 'Lee',
      },
    });
  });

  it('cart.abandoned and affiliate events are authentic but ignored', () => {
    const abandoned = fixture('cart-abandoned.form.txt');
    const affiliate = fixture('affiliate-commission-earned.json');
    expect(verifyThriveCart(abandoned, CREDENTIALS)).toEqual({ ok: true });
    expect(normaliseThriveCart(abandoned)).toEqual({ kind: 'ignored', reason: 'abandoned cart' });
    expect(normaliseThriveCart(affiliate)).toEqual({ kind: 'ignored', reason: 'affiliate event' });
  });
});
