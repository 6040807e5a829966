/**
 * Whatever arrives, the parsers and the normaliser either return or throw their own error type,
 * and nothing ever lands on Object.prototype.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { buildThriveCartFields, encodeForm, encodeJson } from '../../src/adapters/sources/thrivecart/build-body.ts';
import { thrivecartDedupKey } from '../../src/adapters/sources/thrivecart/dedup-key.ts';
import { NormaliseError, normaliseThriveCart } from '../../src/adapters/sources/thrivecart/normalise.ts';
import {
  BodyError,
  parseFormBody,
  parseJsonBody,
  type Fields,
} from '../../src/adapters/sources/thrivecart/parse-body.ts';

const RUNS = 2000;
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

function prototypeUntouched(): boolean {
  return (
    JSON.stringify(Object.getOwnPropertyNames(Object.prototype).sort()) === JSON.stringify(PROTOTYPE_KEYS) &&
    ({} as Record<string, unknown>).polluted === undefined
  );
}

/** Runs parse → normalise → dedup key; anything other than our two error types fails the property. */
function pipelineIsTotal(raw: string, parse: (raw: string) => Fields): boolean {
  let fields: Fields;
  try {
    fields = parse(raw);
  } catch (error) {
    return error instanceof BodyError;
  }
  thrivecartDedupKey(fields);
  try {
    normaliseThriveCart(fields);
  } catch (error) {
    return error instanceof NormaliseError;
  }
  return true;
}

const hostileKey = fc.oneof(
  fc.constantFrom(
    '__proto__',
    'constructor',
    'prototype',
    'toString',
    'hasOwnProperty',
    'event',
    'customer',
    'order',
    'charges',
    '0',
    '',
    '[',
    ']',
    'polluted',
  ),
  fc.string({ maxLength: 8 }),
);
const hostileValue = fc.oneof(
  fc.constantFrom(
    'order.success',
    'order.refund',
    'order.subscription_payment',
    'null',
    'false',
    '%',
    '%zz',
    '%FF',
    '%00',
    '\u0000',
    '\uFFFD',
    '\uD800',
    'a@b.co',
    '1e3',
    '-1',
    '99999999999',
    'product-12',
  ),
  fc.string({ maxLength: 12, unit: 'binary' }),
);
const bracketKey = fc
  .array(hostileKey, { minLength: 1, maxLength: 9 })
  .map(([head, ...rest]) => `${head}${rest.map((segment) => `[${segment}]`).join('')}`);
const formBody = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc
    .array(fc.tuple(bracketKey, hostileValue), { maxLength: 30 })
    .map((pairs) => pairs.map(([key, value]) => `${key}=${value}`).join('&')),
);

/** Real bodies with one field replaced by something hostile, so the normaliser is reached. */
const mutatedRealBody = fc
  .tuple(
    fc.constantFrom('purchase', 'renewal', 'failed', 'refund', 'cancel', 'pause', 'resume', 'customer_updated'),
    fc.boolean(),
    fc.nat(),
    hostileValue,
  )
  .map(([event, asJson, pick, value]) => {
    const fields = buildThriveCartFields(event, {
      account: 'a',
      secret: 's',
      email: 'e@x.io',
      item: 'product-12',
      extraItems: ['bump-12'],
      recurring: true,
    });
    const form = encodeForm(fields).split('&');
    const index = pick % form.length;
    const [key] = (form[index] ?? '').split('=');
    form[index] = `${key}=${formEncodedOrRaw(value)}`;
    const mutated = form.join('&');
    return { asJson, raw: asJson ? encodeJson(safeParse(mutated) ?? fields) : mutated };
  });

/** Lone surrogates cannot be percent-encoded; send those raw, as a broken client would. */
function formEncodedOrRaw(value: string): string {
  try {
    return encodeURIComponent(value);
  } catch {
    return value;
  }
}

function safeParse(raw: string): Fields | null {
  try {
    return parseFormBody(raw);
  } catch {
    return null;
  }
}

const jsonBody = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.jsonValue({ maxDepth: 8 }).map((value) => JSON.stringify(value)),
  fc
    .dictionary(hostileKey, fc.oneof(hostileValue, fc.dictionary(hostileKey, hostileValue)), { maxKeys: 10 })
    .map((value) => JSON.stringify(value)),
);

describe('hostile input (property)', () => {
  afterEach(() => {
    expect(prototypeUntouched()).toBe(true);
  });

  it('parseFormBody → normalise is total and never pollutes Object.prototype', () => {
    fc.assert(
      fc.property(formBody, (raw) => pipelineIsTotal(raw, parseFormBody) && prototypeUntouched()),
      { numRuns: RUNS },
    );
  });

  it('parseJsonBody → normalise is total and never pollutes Object.prototype', () => {
    fc.assert(
      fc.property(jsonBody, (raw) => pipelineIsTotal(raw, parseJsonBody) && prototypeUntouched()),
      { numRuns: RUNS },
    );
  });

  it('real bodies with one hostile field either normalise or fail with NormaliseError', () => {
    fc.assert(
      fc.property(
        mutatedRealBody,
        ({ asJson, raw }) => pipelineIsTotal(raw, asJson ? parseJsonBody : parseFormBody) && prototypeUntouched(),
      ),
      { numRuns: RUNS },
    );
  });
});
