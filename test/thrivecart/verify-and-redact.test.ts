import { describe, expect, it } from 'vitest';
import { buildThriveCartFields, encodeForm } from '../../src/adapters/sources/thrivecart/build-body.ts';
import { parseFormBody, parseJsonBody, type Fields } from '../../src/adapters/sources/thrivecart/parse-body.ts';
import { redactSecret } from '../../src/adapters/sources/thrivecart/redact.ts';
import { verifyThriveCart } from '../../src/adapters/sources/thrivecart/verify.ts';
import { FIXTURE_ACCOUNT, FIXTURE_SECRET, fixture } from './fixtures.ts';

const EXPECTED = { account: 'acme', secret: 'S3cret-word' };

function delivery(overrides: { account?: string; secret?: string } = {}): Fields {
  const fields = buildThriveCartFields('purchase', {
    ...EXPECTED,
    ...overrides,
    email: 'jo@example.com',
    item: 'product-12',
  });
  return parseFormBody(encodeForm(fields));
}

/** A delivery without one of the fields ThriveCart always sends. */
function deliveryWithout(field: 'thrivecart_secret' | 'thrivecart_account'): Fields {
  const fields = delivery();
  delete fields[field];
  return fields;
}

/** The refusal for a secret that is not there to compare: missing, blank, or not text. */
const MISSING_SECRET = { ok: false, code: 'missing-secret', reason: 'missing thrivecart_secret' };

describe('verifyThriveCart', () => {
  it('accepts the configured account and secret', () => {
    expect(verifyThriveCart(delivery(), EXPECTED)).toEqual({ ok: true });
    expect(
      verifyThriveCart(fixture('order-refund.json'), { account: FIXTURE_ACCOUNT, secret: FIXTURE_SECRET }),
    ).toEqual({ ok: true });
  });

  it('rejects a wrong secret without echoing either secret', () => {
    const result = verifyThriveCart(delivery({ secret: 'guess-1' }), EXPECTED);
    expect(result).toEqual({ ok: false, code: 'secret-mismatch', reason: 'thrivecart_secret does not match' });
    expect(JSON.stringify(result)).not.toContain('guess-1');
    expect(JSON.stringify(result)).not.toContain(EXPECTED.secret);
  });

  it('rejects a secret that only differs in length or case', () => {
    expect(verifyThriveCart(delivery({ secret: `${EXPECTED.secret}x` }), EXPECTED).ok).toBe(false);
    expect(verifyThriveCart(delivery({ secret: EXPECTED.secret.toUpperCase() }), EXPECTED).ok).toBe(false);
  });

  it('rejects a missing or blank secret', () => {
    expect(verifyThriveCart(deliveryWithout('thrivecart_secret'), EXPECTED)).toEqual(MISSING_SECRET);
    expect(verifyThriveCart(delivery({ secret: '' }), EXPECTED)).toEqual(MISSING_SECRET);
  });

  it('rejects a secret sent as a group instead of text', () => {
    expect(
      verifyThriveCart(parseFormBody('thrivecart_secret[0]=S3cret-word&thrivecart_account=acme'), EXPECTED),
    ).toEqual(MISSING_SECRET);
  });

  it('rejects another ThriveCart account that knows the secret', () => {
    expect(verifyThriveCart(delivery({ account: 'other' }), EXPECTED)).toEqual({
      ok: false,
      code: 'account-mismatch',
      reason: 'thrivecart_account does not match',
    });
    expect(verifyThriveCart(deliveryWithout('thrivecart_account'), EXPECTED)).toEqual({
      ok: false,
      code: 'missing-account',
      reason: 'missing thrivecart_account',
    });
  });

  it('refuses to verify anything when no secret is configured', () => {
    expect(verifyThriveCart(delivery({ secret: '' }), { account: 'acme', secret: '' }).ok).toBe(false);
  });
});

describe('redactSecret', () => {
  it('removes thrivecart_secret at every level and leaves the rest intact', () => {
    const fields = parseJsonBody(
      JSON.stringify({
        thrivecart_secret: 's',
        event: 'x',
        nested: { thrivecart_secret: 's', keep: 'k' },
        list: [{ thrivecart_secret: 's', v: '1' }],
      }),
    );
    const redacted = redactSecret(fields);
    expect(JSON.parse(JSON.stringify(redacted))).toEqual({ event: 'x', nested: { keep: 'k' }, list: [{ v: '1' }] });
    expect(Object.getPrototypeOf(redacted)).toBeNull();
    expect(fields.thrivecart_secret).toBe('s');
    expect(JSON.parse(JSON.stringify(fields))).toEqual({
      thrivecart_secret: 's',
      event: 'x',
      nested: { thrivecart_secret: 's', keep: 'k' },
      list: [{ thrivecart_secret: 's', v: '1' }],
    });
  });

  it('keeps the order of the keys, and a body without the secret as it is', () => {
    const fields = parseJsonBody(JSON.stringify({ b: '1', thrivecart_secret: 's', a: { c: '2' }, d: ['3'] }));
    expect(Object.keys(redactSecret(fields))).toEqual(['b', 'a', 'd']);
    const withoutSecret = parseJsonBody(JSON.stringify({ b: '1', a: { c: '2' } }));
    expect(JSON.stringify(redactSecret(withoutSecret))).toBe('{"b":"1","a":{"c":"2"}}');
  });

  it('leaves no trace of the secret in a redacted realistic body', () => {
    expect(JSON.stringify(redactSecret(fixture('order-success-bump-upsell.form.txt')))).not.toContain(FIXTURE_SECRET);
  });
});
