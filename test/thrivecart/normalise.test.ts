import { describe, expect, it } from 'vitest';
import {
  buildThriveCartFields,
  encodeForm,
  encodeJson,
  type SimulateOptions,
  type SimulatedEvent,
} from '../../src/adapters/sources/thrivecart/build-body.ts';
import { NormaliseError, normaliseThriveCart } from '../../src/adapters/sources/thrivecart/normalise.ts';
import { parseFormBody, parseJsonBody, type Fields } from '../../src/adapters/sources/thrivecart/parse-body.ts';

const OPTIONS: SimulateOptions = {
  account: 'acme',
  secret: 'S3cret-word',
  email: 'Jo@Example.COM',
  item: 'product-12',
};
const OCCURRED_AT = new Date('2025-03-01T12:00:00Z');

const ENCODINGS = [
  ['form', (fields: Fields) => parseFormBody(encodeForm(fields))],
  ['json', (fields: Fields) => parseJsonBody(encodeJson(fields))],
] as const;

function normalised(event: SimulatedEvent, options: Partial<SimulateOptions> = {}, edit?: (fields: Fields) => void) {
  const fields = parseFormBody(
    encodeForm(buildThriveCartFields(event, { ...OPTIONS, occurredAt: OCCURRED_AT, ...options })),
  );
  edit?.(fields);
  return normaliseThriveCart(fields);
}

function group(fields: Fields, key: string): Fields {
  const value = fields[key];
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${key} is not a group`);
  return value;
}

function expectNormaliseError(run: () => unknown, message: RegExp): void {
  expect(run).toThrow(NormaliseError);
  expect(run).toThrow(message);
}

describe('round trip: build → encode → parse → normalise', () => {
  const expectedKinds: Record<SimulatedEvent, string> = {
    purchase: 'purchase',
    renewal: 'renewal',
    failed: 'payment_failed',
    refund: 'refund',
    cancel: 'cancellation',
    pause: 'paused',
    resume: 'resumed',
    customer_updated: 'customer_updated',
    abandoned: 'ignored',
    affiliate: 'ignored',
  };
  for (const [encoding, decode] of ENCODINGS) {
    for (const [event, kind] of Object.entries(expectedKinds) as [SimulatedEvent, string][]) {
      it(`${event} via ${encoding} → ${kind}, same as the unencoded fields`, () => {
        const fields = buildThriveCartFields(event, { ...OPTIONS, occurredAt: OCCURRED_AT, extraItems: ['bump-12'] });
        const result = normaliseThriveCart(decode(fields));
        expect(result.kind).toBe(kind);
        expect(result).toEqual(normaliseThriveCart(fields));
        if (result.kind !== 'ignored') {
          expect(result.occurredAt).toBe(OCCURRED_AT.getTime());
          expect(result.customer.email).toBe('jo@example.com');
          expect(result.live).toBe(true);
        }
      });
    }
  }
});

describe('order.success → purchase', () => {
  it('lists every item with its own amount, matched by type AND id', () => {
    const event = normalised('purchase', {
      amountCents: 4700,
      extraItems: ['bump-12', 'upsell-2', 'downsell-5', 'product-1'],
      recurring: true,
    });
    expect(event).toMatchObject({ kind: 'purchase', currency: 'USD', occurredAt: OCCURRED_AT.getTime() });
    if (event.kind !== 'purchase') throw new Error('not a purchase');
    expect(event.items.map((item) => [item.item, item.amountCents, item.recurring])).toEqual([
      ['product-12', 4700, true],
      ['bump-12', 1900, false],
      ['upsell-2', 9700, false],
      ['downsell-5', 4700, false],
      ['product-1', 4700, false],
    ]);
    expect(event.items[0]).toMatchObject({
      name: 'Course 12 & Community',
      nextChargeAt: Date.parse('2025-03-31T12:00:00Z'),
    });
    expect(event.items[0]?.thrivecartSubscriptionId).toMatch(/^\d{7}$/);
    expect(event.items[1]?.thrivecartSubscriptionId).toBeNull();
  });

  it('does not mistake product-1 for product-12 in purchase_map_flat (whole tokens)', () => {
    const event = normalised('purchase', { extraItems: ['bump-12'] }, (fields) => {
      delete fields.purchase_map;
      delete group(fields, 'order').charges;
      fields.purchase_map_flat = 'product-12,bump-12';
    });
    if (event.kind !== 'purchase') throw new Error('not a purchase');
    expect(event.items.map((item) => item.item)).toEqual(['product-12', 'bump-12']);
    // No charge lines: names fall back to purchases[n], amounts to zero.
    expect(event.items.map((item) => [item.name, item.amountCents])).toEqual([
      ['Course 12 & Community', 0],
      ['Workbook & Templates 12', 0],
    ]);
  });

  it('takes the next charge from due when defer_date is absent', () => {
    const event = normalised(
      'purchase',
      { recurring: true, nextPaymentAt: new Date('2025-04-01T00:00:00Z') },
      (fields) => {
        const future = group(fields, 'order').future_charges as Fields[];
        delete future[0]?.defer_date;
      },
    );
    if (event.kind !== 'purchase') throw new Error('not a purchase');
    expect(event.items[0]?.nextChargeAt).toBe(Date.parse('2025-04-01T00:00:00Z'));
  });

  it('falls back from order_timestamp to order[date_unix]', () => {
    const event = normalised('purchase', {}, (fields) => {
      delete fields.order_timestamp;
      group(fields, 'order').date_unix = '1700000000';
    });
    expect(event).toMatchObject({ occurredAt: 1_700_000_000_000 });
  });

  it('rejects an order with no items', () => {
    expectNormaliseError(
      () =>
        normalised('purchase', {}, (fields) => {
          delete fields.purchase_map;
          delete fields.purchase_map_flat;
          delete group(fields, 'order').charges;
          delete group(fields, 'order').future_charges;
          delete fields.accessible_purchase_map;
          delete fields.accessible_purchase_map_flat;
          delete fields.base_product;
        }),
      /no items/,
    );
  });

  it.each([['14.99'], ['-100'], ['99999999999'], ['1e3']])('rejects the amount %s', (amount) => {
    expectNormaliseError(
      () =>
        normalised('purchase', {}, (fields) => {
          const charges = group(fields, 'order').charges as Fields[];
          (charges[0] as Fields).amount = amount;
        }),
      /order\[charges\]\[0\]\[amount\] must be a whole number/,
    );
  });

  it('rejects an unknown item type', () => {
    expectNormaliseError(
      () => normalised('purchase', {}, (fields) => (fields.purchase_map = ['gift-3'])),
      /unknown item type "gift"/,
    );
  });
});

describe('later events carry the ORIGINAL order block', () => {
  const originalOrder = (fields: Fields) => {
    const order = group(fields, 'order');
    order.date_unix = '1500000000';
    order.total = '123456';
    fields.order_timestamp = '1500000000';
  };

  it('renewal: time from date_unix, money from subscription[amount], dates in Unix seconds', () => {
    const event = normalised(
      'renewal',
      { amountCents: 2900, paymentIndex: 6, nextPaymentAt: new Date('2025-04-01T12:00:00Z'), remainingRebills: 3 },
      originalOrder,
    );
    expect(event).toEqual({
      kind: 'renewal',
      occurredAt: OCCURRED_AT.getTime(),
      live: true,
      customer: expect.objectContaining({ email: 'jo@example.com' }),
      orderId: expect.stringMatching(/^\d{8}$/),
      item: 'product-12',
      invoiceId: expect.stringMatching(/^\d{9}-6$/),
      amountCents: 2900,
      paymentIndex: 6,
      nextPaymentAt: Date.parse('2025-04-01T12:00:00Z'),
      remainingRebills: 3,
      frequency: 'month',
      itemName: 'Course 12 & Community',
      thrivecartSubscriptionId: expect.stringMatching(/^\d+$/),
    });
  });

  it('renewal: remaining_rebills "null" means open-ended', () => {
    expect(normalised('renewal', { remainingRebills: null })).toMatchObject({ remainingRebills: null });
  });

  it('payment_failed: names the subscription item and the amount due', () => {
    expect(normalised('failed', { item: 'upsell-2', amountCents: 9700 }, originalOrder)).toMatchObject({
      kind: 'payment_failed',
      occurredAt: OCCURRED_AT.getTime(),
      item: 'upsell-2',
      amountCents: 9700,
    });
  });

  it('cancellation: paidThrough from billing_period_end (Unix seconds)', () => {
    const paidThrough = new Date('2025-03-20T08:30:00Z');
    expect(normalised('cancel', { paidThrough }, originalOrder)).toMatchObject({
      kind: 'cancellation',
      occurredAt: OCCURRED_AT.getTime(),
      paidThrough: paidThrough.getTime(),
    });
  });

  it('refund: the refunded item is bump-12, not product-12, and the amount is refund[amount]', () => {
    expect(normalised('refund', { item: 'bump-12', refundAmountCents: 950 }, originalOrder)).toMatchObject({
      kind: 'refund',
      occurredAt: OCCURRED_AT.getTime(),
      item: 'bump-12',
      amountCents: 950,
    });
  });

  it('never falls back to the original order time', () => {
    expectNormaliseError(
      () => normalised('refund', {}, (fields) => delete fields.date_unix),
      /missing event time \(date_unix\)/,
    );
  });

  it('rejects a refund with no refund[type]', () => {
    expectNormaliseError(
      () => normalised('refund', {}, (fields) => delete group(fields, 'refund').type),
      /missing refund\[type\]/,
    );
  });

  it('rejects a rebill with a millisecond date_unix', () => {
    expectNormaliseError(
      () => normalised('renewal', {}, (fields) => (fields.date_unix = String(OCCURRED_AT.getTime()))),
      /date_unix/,
    );
  });
});

describe('customer', () => {
  it('keeps an 18-digit customer id exactly', () => {
    const event = normalised('purchase', { customerId: '429583657727489355' });
    expect(event).toMatchObject({ customer: { thrivecartId: '429583657727489355' } });
  });

  it('defaults to a deterministic 18-digit id', () => {
    const first = normalised('purchase');
    const second = normalised('renewal');
    if (first.kind === 'ignored' || second.kind === 'ignored') throw new Error('ignored');
    expect(first.customer.thrivecartId).toMatch(/^\d{18}$/);
    expect(second.customer.thrivecartId).toBe(first.customer.thrivecartId);
  });

  it('decodes HTML entities in names and trims the email', () => {
    const event = normalised('purchase', { firstName: 'Anne &amp; Bob', lastName: 'O&#39;Neil' }, (fields) => {
      group(fields, 'customer').email = '  Anne@Example.com ';
    });
    expect(event).toMatchObject({
      customer: { email: 'anne@example.com', firstName: 'Anne & Bob', lastName: "O'Neil" },
    });
  });

  it('turns blank names into null rather than blanks', () => {
    const event = normalised('refund', { firstName: '', lastName: '' });
    expect(event).toMatchObject({ customer: { firstName: null, lastName: null } });
    const spaced = normalised('refund', {}, (fields) => {
      const customer = group(fields, 'customer');
      Object.assign(customer, { name: ' ', first_name: ' ', last_name: 'null' });
    });
    expect(spaced).toMatchObject({ customer: { firstName: null, lastName: null } });
  });

  it('splits customer[name] when first/last are absent', () => {
    const event = normalised('purchase', {}, (fields) => {
      const customer = group(fields, 'customer');
      Object.assign(customer, { name: 'Mary Ann  Smith', first_name: 'false', last_name: '' });
    });
    expect(event).toMatchObject({ customer: { firstName: 'Mary', lastName: 'Ann Smith' } });
  });

  it('treats "null" customer_id as absent and falls back to customer[id]', () => {
    const event = normalised('purchase', { customerId: '123' }, (fields) => (fields.customer_id = 'null'));
    expect(event).toMatchObject({ customer: { thrivecartId: '123' } });
  });

  it('rejects a delivery without an email', () => {
    expectNormaliseError(
      () => normalised('purchase', {}, (fields) => (group(fields, 'customer').email = 'null')),
      /missing customer\[email\]/,
    );
  });

  it('customer_updated carries the new email', () => {
    expect(normalised('customer_updated', { newEmail: 'New@Example.com' })).toMatchObject({
      kind: 'customer_updated',
      customer: { email: 'new@example.com' },
    });
  });

  it('times a customer_updated without date_unix at its arrival, and only that event', () => {
    const receivedAt = Date.parse('2026-04-02T10:00:00Z');
    const withoutDate = (event: SimulatedEvent) => {
      const fields = buildThriveCartFields(event, {
        account: 'a',
        secret: 's',
        email: 'x@example.com',
        item: 'product-12',
      });
      delete fields.date_unix;
      return fields;
    };
    expect(normaliseThriveCart(withoutDate('customer_updated'), { receivedAt })).toMatchObject({
      kind: 'customer_updated',
      occurredAt: receivedAt,
    });
    expectNormaliseError(
      () => normaliseThriveCart(withoutDate('refund'), { receivedAt }),
      /missing event time \(date_unix\)/,
    );
  });
});

describe('mode and event names', () => {
  it('marks test mode as not live (mode=test or mode_int=1)', () => {
    expect(normalised('purchase', { testMode: true })).toMatchObject({ live: false });
    expect(normalised('purchase', {}, (fields) => (fields.mode_int = '1'))).toMatchObject({ live: false });
  });

  it('ignores abandoned carts, affiliate events and unknown events with a reason', () => {
    expect(normalised('abandoned')).toEqual({ kind: 'ignored', reason: 'abandoned cart' });
    expect(normalised('affiliate')).toEqual({ kind: 'ignored', reason: 'affiliate event' });
    expect(normalised('purchase', {}, (fields) => (fields.event = 'order.subscription_started'))).toEqual({
      kind: 'ignored',
      reason: 'unknown event "order.subscription_started"',
    });
  });

  it('rejects a delivery with no event', () => {
    expectNormaliseError(() => normalised('purchase', {}, (fields) => delete fields.event), /missing event/);
  });
});
