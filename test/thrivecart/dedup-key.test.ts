import { describe, expect, it } from 'vitest';
import {
  buildThriveCartFields,
  encodeForm,
  encodeJson,
  SIMULATED_EVENTS,
  type SimulateOptions,
  type SimulatedEvent,
} from '../../src/adapters/sources/thrivecart/build-body.ts';
import { thrivecartDedupKey } from '../../src/adapters/sources/thrivecart/dedup-key.ts';
import { parseFormBody, parseJsonBody, type Fields } from '../../src/adapters/sources/thrivecart/parse-body.ts';

const OPTIONS: SimulateOptions = {
  account: 'acme',
  secret: 'S3cret-word',
  email: 'jo@example.com',
  item: 'product-12',
  orderId: '3230022',
  occurredAt: new Date('2025-03-01T12:00:00Z'),
};

function keyOf(event: SimulatedEvent, options: Partial<SimulateOptions> = {}): string {
  return thrivecartDedupKey(parseFormBody(encodeForm(buildThriveCartFields(event, { ...OPTIONS, ...options }))));
}

function at(days: number): Date {
  return new Date(Date.UTC(2025, 2, 1 + days, 12));
}

/** The same fields with every group's keys in reverse order. */
function reordered(fields: Fields): Fields {
  const copy: Fields = Object.create(null);
  for (const [key, value] of Object.entries(fields).reverse()) {
    copy[key] = typeof value === 'string' || Array.isArray(value) ? value : reordered(value);
  }
  return copy;
}

describe('thrivecartDedupKey', () => {
  it('has the form tc:<sha256 hex>', () => {
    expect(keyOf('purchase')).toMatch(/^tc:[0-9a-f]{64}$/);
  });

  it('keeps the rebills of one order distinct (same order_id)', () => {
    const keys = [1, 2, 3, 4, 5, 6].map((index) =>
      keyOf('renewal', { paymentIndex: index, occurredAt: at(30 * index) }),
    );
    expect(new Set(keys).size).toBe(6);
  });

  it('keeps 4 rebill_failed for one invoice distinct (only the time differs)', () => {
    const keys = [0, 3, 5, 7].map((day) =>
      keyOf('failed', { paymentIndex: 2, invoiceId: '000000141-2', occurredAt: at(day) }),
    );
    expect(new Set(keys).size).toBe(4);
  });

  it('keeps two refunds on one order distinct, by item and by time', () => {
    const product = keyOf('refund', { item: 'product-12' });
    const bump = keyOf('refund', { item: 'bump-12' });
    const secondPartial = keyOf('refund', { item: 'product-12', refundAmountCents: 500, occurredAt: at(2) });
    expect(new Set([product, bump, secondPartial]).size).toBe(3);
  });

  it('keeps different events of one order distinct', () => {
    const keys = SIMULATED_EVENTS.map((event) => keyOf(event));
    expect(new Set(keys).size).toBe(SIMULATED_EVENTS.length);
  });

  it.each(SIMULATED_EVENTS)(
    '%s: an identical re-send gives the same key, in either encoding and any field order',
    (event) => {
      const fields = buildThriveCartFields(event, { ...OPTIONS, extraItems: ['bump-12'], recurring: true });
      const viaForm = thrivecartDedupKey(parseFormBody(encodeForm(fields)));
      expect(thrivecartDedupKey(parseFormBody(encodeForm(fields)))).toBe(viaForm);
      expect(thrivecartDedupKey(parseJsonBody(encodeJson(fields)))).toBe(viaForm);
      expect(thrivecartDedupKey(parseFormBody(encodeForm(reordered(fields))))).toBe(viaForm);
    },
  );

  it.each(SIMULATED_EVENTS)('%s: the secret does not influence the key', (event) => {
    expect(keyOf(event, { secret: 'another-secret' })).toBe(keyOf(event));
  });

  it('separates customer_updated deliveries that change different things', () => {
    expect(keyOf('customer_updated', { newEmail: 'new@example.com' })).not.toBe(
      keyOf('customer_updated', { newEmail: 'other@example.com' }),
    );
    expect(keyOf('customer_updated', { occurredAt: at(1) })).not.toBe(keyOf('customer_updated'));
  });

  it('hashes the whole body for unknown events, so different bodies stay distinct', () => {
    const base = buildThriveCartFields('purchase', OPTIONS);
    const unknown = (extra: string) =>
      thrivecartDedupKey(
        parseFormBody(`${encodeForm(base)}&event=order.future_thing&x=${extra}`.replace('event=order.success&', '')),
      );
    expect(unknown('1')).toBe(unknown('1'));
    expect(unknown('1')).not.toBe(unknown('2'));
  });

  it('does not confuse a JS-meaningful event name with an identity rule', () => {
    expect(thrivecartDedupKey(parseFormBody('event=toString&a=1'))).not.toBe(
      thrivecartDedupKey(parseFormBody('event=toString&a=2')),
    );
  });
});
