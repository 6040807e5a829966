import {
  buildThriveCartFields,
  type SimulatedEvent,
  type SimulateOptions,
} from '../../src/adapters/sources/thrivecart/build-body.ts';
import type { Fields } from '../../src/adapters/sources/thrivecart/parse-body.ts';
import { TEST_ACCOUNT, TEST_SECRET } from './test-config.ts';

/**
 * The fields ThriveCart would send about `event` from the test account, signed with its secret,
 * for product-12 unless `options` say otherwise (another item, a wrong secret, a date).
 */
export function testDeliveryFields(
  event: SimulatedEvent,
  options: Partial<SimulateOptions> & { email: string },
): Fields {
  return buildThriveCartFields(event, { account: TEST_ACCOUNT, secret: TEST_SECRET, item: 'product-12', ...options });
}
