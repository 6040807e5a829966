/**
 * T3, out-of-order delivery through the whole intake: one customer's subscription history
 * (purchase, renewals, failed payments, a refund, a cancellation) sent over HTTP in a random
 * order ends in the same state (tags with their reasons, access with its reasons and end) as the
 * same history sent in order. Each permutation is a customer of its own on one Handoff.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { SimulatedEvent, SimulateOptions } from '../../../src/adapters/sources/thrivecart/build-body.ts';
import { startTestHandoff, type TestHandoff } from '../../support/handoff.ts';
import { DAY_MS } from '../../../src/core/time.ts';

interface Step {
  event: SimulatedEvent;
  day: number;
  options: Partial<SimulateOptions>;
}

const HISTORY: Step[] = [
  { event: 'purchase', day: 0, options: { recurring: true } },
  { event: 'renewal', day: 30, options: { paymentIndex: 1 } },
  { event: 'failed', day: 60, options: { paymentIndex: 2 } },
  { event: 'failed', day: 63, options: { paymentIndex: 2 } },
  { event: 'renewal', day: 65, options: { paymentIndex: 2 } },
  { event: 'failed', day: 90, options: { paymentIndex: 3 } },
  { event: 'refund', day: 95, options: { refundAmountCents: 4700 } },
  { event: 'cancel', day: 96, options: { paidThrough: new Date(0) } },
];

interface ContactBody {
  tags: { name: string; since: string; why: string }[];
  access: unknown[];
}

/** Sends the history in `order` as customer number `customer`; returns its state with the customer's own ids masked. */
async function sendInOrder(
  handoff: TestHandoff,
  customer: number,
  order: readonly number[],
  startedAt: number,
): Promise<string> {
  const email = `order-${customer}@example.com`;
  const orderId = String(600_000 + customer);
  for (const index of order) {
    const step = HISTORY[index]!;
    const occurredAt = startedAt + step.day * DAY_MS;
    const options =
      step.event === 'cancel' ? { ...step.options, paidThrough: new Date(occurredAt + 20 * DAY_MS) } : step.options;
    const sent = await handoff.send(step.event, {
      email,
      orderId,
      customerId: String(429_583_657_700_000_000n + BigInt(customer)),
      item: 'product-40',
      occurredAt: new Date(occurredAt),
      ...options,
    });
    expect(sent.status).toBe(200);
    expect(sent.body.status).toBe('applied');
  }
  const contact = await handoff.api<ContactBody>(`/api/contacts/${email}`);
  const access = await handoff.api(`/api/access?email=${email}&offering=community`);
  const state = {
    tags: contact.body.tags.map(({ name, since, why }) => ({ name, since, why })),
    access: contact.body.access,
    answer: access.body,
  };
  return JSON.stringify(state).replaceAll(email, '<email>').replaceAll(orderId, '<order>');
}

export async function runOrderScenario(permutations: number): Promise<void> {
  const handoff = await startTestHandoff();
  try {
    const startedAt = handoff.clock.now() - 150 * DAY_MS;
    const inOrder = HISTORY.map((_, index) => index);
    const expected = await sendInOrder(handoff, 0, inOrder, startedAt);
    // The history must leave a mark worth comparing: access granted once, then revoked by the refund.
    expect(expected).toContain('Community - Access');
    expect(expected).toContain('Community - Revoke');
    let customer = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.shuffledSubarray(inOrder, { minLength: inOrder.length, maxLength: inOrder.length }),
        async (arrival) => {
          customer += 1;
          expect(await sendInOrder(handoff, customer, arrival, startedAt)).toEqual(expected);
        },
      ),
      { numRuns: permutations },
    );
  } finally {
    await handoff.close();
  }
}
