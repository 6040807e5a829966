/**
 * Realistic, distinct ThriveCart bodies in bulk. Building each body from scratch costs ~0.4 ms
 * (it derives a dozen ids by hashing), which would make the load generator the bottleneck, so
 * one real body is built around a sentinel number and each copy replaces the sentinel with its
 * own: every copy has its own email, order id, invoice id and customer id, hence its own contact
 * and dedup key, and is otherwise byte-for-byte what ThriveCart sends.
 */
import {
  buildThriveCartFields,
  encodeForm,
  type SimulatedEvent,
  type SimulateOptions,
} from '../../../src/adapters/sources/thrivecart/build-body.ts';
import { TEST_ACCOUNT, TEST_SECRET } from '../../support/test-config.ts';

const SENTINEL = '7391846205';
const WIDTH = SENTINEL.length;

/**
 * Stands for each body's own number in an option's value, e.g. `orderId: \`9${BODY_NUMBER}\``:
 * every copy gets its own (padded like `orderIdOf`).
 */
export const BODY_NUMBER = SENTINEL;

/** Form bodies number `first` to `first + count - 1` of one kind of delivery. */
export function distinctBodies(
  event: SimulatedEvent,
  first: number,
  count: number,
  options: Partial<SimulateOptions> = {},
): string[] {
  const template = encodeForm(
    buildThriveCartFields(event, {
      account: TEST_ACCOUNT,
      secret: TEST_SECRET,
      item: 'product-12',
      email: emailOf(SENTINEL),
      orderId: orderIdOf(SENTINEL),
      invoiceId: `000${SENTINEL}`,
      customerId: `42958365${SENTINEL}`,
      firstName: 'Sam',
      lastName: 'Rivera',
      ...options,
    }),
  );
  const parts = template.split(SENTINEL);
  if (parts.length < 5) throw new Error('the sentinel did not reach every identifying field');
  return Array.from({ length: count }, (_, index) => parts.join(numbered(first + index)));
}

function numbered(number: number | string): string {
  return String(number).padStart(WIDTH, '0');
}

/** The order id of body number `number`. */
export function orderIdOf(number: number | string): string {
  return `8${numbered(number)}`;
}

/** The customer's email of body number `number`. */
export function emailOf(number: number | string): string {
  return `buyer${numbered(number)}@example.com`;
}

/** A body source that never repeats: asking past the pre-generated ones is an error, not a silent duplicate. */
export class BodySupply {
  private next = 0;
  constructor(private readonly bodies: readonly string[]) {}

  take(): string {
    const body = this.bodies[this.next];
    if (body === undefined) throw new Error(`ran out of distinct bodies after ${this.next}`);
    this.next += 1;
    return body;
  }

  get used(): number {
    return this.next;
  }
}
