import { describe, expect, it } from 'vitest';
import {
  BodyError,
  parseFormBody,
  parseJsonBody,
  type Fields,
} from '../../src/adapters/sources/thrivecart/parse-body.ts';
import { fixtureText } from './fixtures.ts';

function plain(fields: Fields): unknown {
  return JSON.parse(JSON.stringify(fields));
}

function expectBodyError(run: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    run();
  } catch (error) {
    thrown = error;
  }
  expect(thrown).toBeInstanceOf(BodyError);
  expect((thrown as BodyError).message).toMatch(message);
}

function prototypeFree(value: unknown): boolean {
  if (typeof value !== 'object' || value === null) return true;
  if (Array.isArray(value)) return value.every(prototypeFree);
  return Object.getPrototypeOf(value) === null && Object.values(value).every(prototypeFree);
}

describe('parseFormBody', () => {
  it('reads PHP bracket keys into nested groups and lists', () => {
    const fields = parseFormBody(
      'event=order.success&customer%5Bemail%5D=a%40b.co&customer[address][country]=GB' +
        '&order[charges][0][amount]=4700&order[charges][1][amount]=1900&purchase_map[0]=product-12' +
        '&purchase_map[1]=bump-12&subscriptions[product-12]=sub_1&pro-rata=false&name=Jo+Lee',
    );
    expect(plain(fields)).toEqual({
      event: 'order.success',
      customer: { email: 'a@b.co', address: { country: 'GB' } },
      order: { charges: [{ amount: '4700' }, { amount: '1900' }] },
      purchase_map: ['product-12', 'bump-12'],
      subscriptions: { 'product-12': 'sub_1' },
      'pro-rata': 'false',
      name: 'Jo Lee',
    });
  });

  it('builds only null-prototype objects', () => {
    const fields = parseFormBody(fixtureText('order-success-bump-upsell.form.txt'));
    expect(prototypeFree(fields)).toBe(true);
  });

  it('keeps an 18-digit id as exact text', () => {
    expect(parseFormBody('customer_id=429583657727489355').customer_id).toBe('429583657727489355');
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects a %s key anywhere instead of dropping it', (key) => {
    expectBodyError(() => parseFormBody(`${key}[polluted]=yes`), /forbidden key/);
    expectBodyError(() => parseFormBody(`customer[${key}][polluted]=yes`), /forbidden key/);
    expectBodyError(() => parseFormBody(`customer%5B${encodeURIComponent(key)}%5D=yes`), /forbidden key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects more than 2000 parameters', () => {
    const raw = Array.from({ length: 3000 }, (_, index) => `f${index}=x`).join('&');
    expectBodyError(() => parseFormBody(raw), /2000/);
  });

  it('rejects nesting 50 levels deep, and accepts 6', () => {
    expectBodyError(() => parseFormBody(`a${'[x]'.repeat(50)}=1`), /depth/);
    expect(() => parseFormBody(`a${'[x]'.repeat(6)}=1`)).not.toThrow();
    expectBodyError(() => parseFormBody(`a${'[x]'.repeat(7)}=1`), /depth/);
  });

  it('rejects NUL bytes, raw or percent-encoded', () => {
    expectBodyError(() => parseFormBody('name=a%00b'), /NUL/);
    expectBodyError(() => parseFormBody('name=a\u0000b'), /NUL/);
  });

  it('rejects invalid UTF-8, percent-encoded or already replaced by the byte decoder', () => {
    expectBodyError(() => parseFormBody('name=%FF%FE'), /percent-encoding/);
    expectBodyError(() => parseFormBody('name=%E2%82'), /percent-encoding/);
    const fromBadBytes = Buffer.from([0x6e, 0x61, 0x6d, 0x65, 0x3d, 0xc3, 0x28]).toString('utf8');
    expectBodyError(() => parseFormBody(fromBadBytes), /UTF-8/);
    expectBodyError(() => parseFormBody('name=\uD800'), /UTF-8/);
  });

  it('rejects malformed percent-encoding and names the field, never the value', () => {
    expectBodyError(() => parseFormBody('thrivecart_secret=abc%zz'), /value of form field "thrivecart_secret"/);
    try {
      parseFormBody('thrivecart_secret=abc%zz');
    } catch (error) {
      expect((error as Error).message).not.toContain('abc');
    }
  });

  it('checks keys as strictly as values, and decodes the value of a pair without a name too', () => {
    expectBodyError(() => parseFormBody('customer%5Bna%zzme%5D=x'), /invalid percent-encoding in form key/);
    expectBodyError(() => parseFormBody('customer[a%00b]=x'), /form key .* NUL/);
    expectBodyError(() => parseFormBody('customer[a\u0000b]=x'), /form key .* NUL/);
    expectBodyError(() => parseFormBody('customer[%EF%BF%BD]=x'), /form key .* UTF-8/);
    expectBodyError(() => parseFormBody('customer[\uD800]=x'), /form key .* UTF-8/);
    expectBodyError(() => parseFormBody('a=1&=%zz'), /invalid percent-encoding in value of form field ""/);
    expectBodyError(() => parseFormBody('note=%EF%BF%BD'), /value of form field "note" is not valid UTF-8/);
  });

  it('accepts text that only looks suspicious', () => {
    expect(plain(parseFormBody('name=%F0%9F%98%80+%E2%82%AC&emoji=\uD83D\uDE00&plus=%2B'))).toEqual({
      name: '\u{1F600} €',
      emoji: '\u{1F600}',
      plus: '+',
    });
  });

  it('rejects array indexes beyond the array limit', () => {
    expectBodyError(() => parseFormBody('purchase_map[5000]=product-1'), /Array limit/);
  });
});

describe('parseJsonBody', () => {
  it('turns scalar leaves into strings the way PHP prints them', () => {
    const fields = parseJsonBody(
      '{"a":"x","n":1499,"t":true,"f":false,"z":null,"list":[1,"2"],"nested":{"deep":{"v":0.5}}}',
    );
    expect(plain(fields)).toEqual({
      a: 'x',
      n: '1499',
      t: 'true',
      f: 'false',
      z: 'null',
      list: ['1', '2'],
      nested: { deep: { v: '0.5' } },
    });
    expect(prototypeFree(fields)).toBe(true);
  });

  it('reads the captured JSON option body', () => {
    const fields = parseJsonBody(fixtureText('order-success-bump-upsell.json'));
    expect(fields.customer_id).toBe('429583657727489355');
    expect(prototypeFree(fields)).toBe(true);
  });

  it.each(['[]', '"text"', '42', 'null'])('requires an object at the top level (%s)', (raw) => {
    expectBodyError(() => parseJsonBody(raw), /top level/);
  });

  it('rejects invalid JSON without quoting it', () => {
    try {
      parseJsonBody('{"thrivecart_secret":"hunter2",');
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(BodyError);
      expect((error as Error).message).not.toContain('hunter2');
    }
  });

  it.each(['__proto__', 'constructor', 'prototype'])('rejects a %s key', (key) => {
    expectBodyError(() => parseJsonBody(`{"customer":{"${key}":{"polluted":"yes"}}}`), /forbidden key/);
    expectBodyError(() => parseJsonBody(`{"${key}":"x"}`), /forbidden key/);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('rejects nesting 50 levels deep and more than 2000 leaves', () => {
    expectBodyError(() => parseJsonBody(`${'{"a":'.repeat(50)}"x"${'}'.repeat(50)}`), /deeper than 6/);
    const wide = JSON.stringify(Object.fromEntries(Array.from({ length: 3000 }, (_, index) => [`f${index}`, 'x'])));
    expectBodyError(() => parseJsonBody(wide), /2000/);
  });

  it('rejects NUL, lone surrogates and replaced bytes', () => {
    expectBodyError(() => parseJsonBody('{"a":"x\\u0000"}'), /NUL/);
    expectBodyError(() => parseJsonBody('{"a":"\\ud800"}'), /UTF-8/);
    expectBodyError(
      () => parseJsonBody(Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0x22, 0x7d]).toString('utf8')),
      /UTF-8/,
    );
  });

  it('refuses integers that have already lost digits instead of storing a wrong id', () => {
    expectBodyError(() => parseJsonBody('{"customer_id":429583657727489355}'), /too large/);
  });
});
