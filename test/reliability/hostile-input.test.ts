/**
 * T7, hostile or malformed input over the HTTP route: more than a thousand bodies built to break
 * the intake. Unauthentic ones (no or wrong secret word, or a body that cannot be read) get a 4xx
 * and change no row of any table; authentic ones with hostile values get a 4xx or a 2xx, never a
 * 5xx; nothing ever lands on Object.prototype. Then fast-check throws arbitrary bytes at it.
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeForm, encodeJson } from '../../src/adapters/sources/thrivecart/build-body.ts';
import type { Fields } from '../../src/adapters/sources/thrivecart/parse-body.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { TEST_ACCOUNT, TEST_SECRET } from '../support/test-config.ts';
import { tableFingerprints } from './support/database-scan.ts';
import { testDeliveryFields } from '../support/test-delivery.ts';

const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';
const PROTOTYPE_KEYS = Object.getOwnPropertyNames(Object.prototype).sort();

interface HostileCase {
  name: string;
  contentType: string | undefined;
  payload: string | Buffer;
}

function prototypeUntouched(): boolean {
  const probe = {} as Record<string, unknown>;
  return (
    JSON.stringify(Object.getOwnPropertyNames(Object.prototype).sort()) === JSON.stringify(PROTOTYPE_KEYS) &&
    probe.polluted === undefined &&
    probe.admin === undefined
  );
}

function purchase(secret: string, index: number): Fields {
  return testDeliveryFields('purchase', {
    secret,
    email: `hostile-${index}@example.com`,
    item: 'product-12',
    orderId: String(700_000 + index),
  });
}

/** A deterministic stream of wrong secret words: near misses, case changes, padding, junk. */
function wrongSecrets(count: number): string[] {
  const nearMisses = [
    '',
    ' ',
    TEST_SECRET.toUpperCase(),
    `${TEST_SECRET} `,
    ` ${TEST_SECRET}`,
    TEST_SECRET.slice(0, -1),
    `${TEST_SECRET}x`,
    TEST_SECRET.replace(/ /g, '+'),
    `${TEST_SECRET}\u0000`,
    'null',
    'undefined',
    '0',
    'true',
  ];
  const junk = Array.from(
    { length: count - nearMisses.length },
    (_, index) => `wrong-${index}-${'z'.repeat(index % 40)}`,
  );
  return [...nearMisses, ...junk];
}

/** Bodies that must be refused without storing anything: no valid secret, or unreadable. */
function unauthenticCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  wrongSecrets(420).forEach((secret, index) => {
    cases.push({
      name: `wrong secret #${index} (form)`,
      contentType: FORM,
      payload: encodeForm(purchase(secret, index)),
    });
    cases.push({
      name: `wrong secret #${index} (json)`,
      contentType: JSON_TYPE,
      payload: encodeJson(purchase(secret, index)),
    });
  });
  for (let index = 0; index < 50; index += 1) {
    const { thrivecart_secret: _secret, ...withoutSecret } = purchase(TEST_SECRET, index);
    cases.push({
      name: `missing secret #${index}`,
      contentType: index % 2 ? FORM : JSON_TYPE,
      payload: index % 2 ? encodeForm(withoutSecret) : encodeJson(withoutSecret),
    });
    const wrongAccount = { ...purchase(TEST_SECRET, index), thrivecart_account: `other-${index}` };
    cases.push({ name: `wrong account #${index}`, contentType: FORM, payload: encodeForm(wrongAccount) });
  }
  const valid = encodeForm(purchase(TEST_SECRET, 1));
  const validJson = encodeJson(purchase(TEST_SECRET, 1));
  const withSecret = `thrivecart_account=${TEST_ACCOUNT}&thrivecart_secret=${encodeURIComponent(TEST_SECRET)}`;
  for (const size of [64 * 1024 + 1, 100_000, 1024 * 1024 + 1, 5 * 1024 * 1024]) {
    cases.push({
      name: `huge form body ${size} B`,
      contentType: FORM,
      payload: `${valid}&padding=${'x'.repeat(size)}`,
    });
    cases.push({
      name: `huge json body ${size} B`,
      contentType: JSON_TYPE,
      payload: `{"padding":"${'x'.repeat(size)}"}`,
    });
  }
  for (const keys of [2_001, 5_000, 10_000]) {
    cases.push({
      name: `${keys} keys (form)`,
      contentType: FORM,
      payload: `${withSecret}&${Array.from({ length: keys }, (_, index) => `k${index}=1`).join('&')}`,
    });
    cases.push({
      name: `${keys} keys (json)`,
      contentType: JSON_TYPE,
      payload: JSON.stringify(
        Object.fromEntries([
          ['thrivecart_account', TEST_ACCOUNT],
          ['thrivecart_secret', TEST_SECRET],
          ...Array.from({ length: keys }, (_, index) => [`k${index}`, '1']),
        ]),
      ),
    });
  }
  for (const depth of [7, 20, 100, 1_000]) {
    cases.push({
      name: `form nesting ${depth}`,
      contentType: FORM,
      payload: `${withSecret}&a${'[a]'.repeat(depth)}=1`,
    });
    cases.push({
      name: `json nesting ${depth}`,
      contentType: JSON_TYPE,
      payload: `{"thrivecart_account":"${TEST_ACCOUNT}","thrivecart_secret":"${TEST_SECRET}","a":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}`,
    });
  }
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    for (const path of [
      `${key}[polluted]`,
      `customer[${key}][polluted]`,
      `${key}[admin]`,
      `order[charges][0][${key}][polluted]`,
      key,
    ]) {
      cases.push({ name: `form key ${path}`, contentType: FORM, payload: `${valid}&${path}=1` });
      cases.push({
        name: `form key ${path} (encoded)`,
        contentType: FORM,
        payload: `${valid}&${encodeURIComponent(path)}=1`,
      });
    }
    cases.push({
      name: `json key ${key}`,
      contentType: JSON_TYPE,
      payload: validJson.replace(/^\{/, `{"${key}":{"polluted":"yes"},`),
    });
    cases.push({
      name: `json nested key ${key}`,
      contentType: JSON_TYPE,
      payload: validJson.replace('"customer":{', `"customer":{"${key}":{"polluted":"yes"},`),
    });
  }
  const invalidUtf8 = [
    Buffer.from([0xff]),
    Buffer.from([0xc3]),
    Buffer.from([0xed, 0xa0, 0x80]),
    Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]),
    Buffer.from([0xc0, 0xaf]),
  ];
  invalidUtf8.forEach((bytes, index) => {
    cases.push({
      name: `invalid UTF-8 #${index} (form)`,
      contentType: FORM,
      payload: Buffer.concat([Buffer.from(`${valid}&customer[first_name]=`), bytes]),
    });
    cases.push({
      name: `invalid UTF-8 #${index} (json)`,
      contentType: JSON_TYPE,
      payload: Buffer.concat([
        Buffer.from(validJson.replace('"customer":{', '"customer":{"first_name":"')),
        bytes,
        Buffer.from('",'),
      ]),
    });
    cases.push({
      name: `invalid UTF-8 percent-encoded #${index}`,
      contentType: FORM,
      payload: `${valid}&note=${[...bytes].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('')}`,
    });
  });
  for (const nul of ['%00', '\u0000']) {
    cases.push({
      name: `NUL ${JSON.stringify(nul)} in a form value`,
      contentType: FORM,
      payload: `${valid}&customer[last_name]=a${nul}b`,
    });
    cases.push({ name: `NUL ${JSON.stringify(nul)} in a form key`, contentType: FORM, payload: `${valid}&a${nul}b=1` });
  }
  for (const contentType of [
    undefined,
    'text/plain',
    'application/xml',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    'text/html',
    'application/x-www-form-urlencodedx',
    'json',
    '*/*',
  ]) {
    cases.push({ name: `content type ${String(contentType)}`, contentType, payload: valid });
  }
  for (const broken of [
    '',
    '{',
    '{"event":',
    '[]',
    '"text"',
    '42',
    'null',
    '{"a":1}{"b":2}',
    validJson.slice(0, -1),
    `${validJson},`,
  ]) {
    cases.push({
      name: `malformed JSON ${JSON.stringify(broken.slice(0, 20))}`,
      contentType: JSON_TYPE,
      payload: broken,
    });
  }
  for (const duplicate of [
    'thrivecart_secret=wrong',
    `thrivecart_secret=${encodeURIComponent(TEST_SECRET)}`,
    `thrivecart_account=${TEST_ACCOUNT}`,
  ]) {
    cases.push({
      name: `duplicate key ${duplicate.split('=')[0]}`,
      contentType: FORM,
      payload: `${valid}&${duplicate}`,
    });
  }
  return cases;
}

/** Authentic (right account and secret word) but malformed: refused, or stored and ignored; never applied. */
function authenticMalformedCases(): HostileCase[] {
  const withSecret = `thrivecart_account=${TEST_ACCOUNT}&thrivecart_secret=${encodeURIComponent(TEST_SECRET)}`;
  const valid = encodeForm(purchase(TEST_SECRET, 2));
  return [
    ...['%', '%zz', 'a=%E0%A4%A', '&&&', '=', '[]=1', 'a[=1', 'a]=1', 'event=', 'event[]=order.success'].map(
      (broken) => ({ name: `malformed form ${broken}`, contentType: FORM, payload: `${withSecret}&${broken}` }),
    ),
    ...['event=order.refund', 'order_id=1', 'customer[email]=other@example.com'].map((duplicate) => ({
      name: `duplicate key ${duplicate.split('=')[0]}`,
      contentType: FORM,
      payload: `${valid}&${duplicate}`,
    })),
  ];
}

/** Authentic deliveries with hostile values: stored with an outcome, or refused, never a server error. */
function authenticCases(): HostileCase[] {
  const cases: HostileCase[] = [];
  const nulNote = encodeJson(purchase(TEST_SECRET, 9_999)).replace('"customer":{', '"customer":{"note":"a\\u0000b",');
  cases.push({ name: 'NUL escape in a JSON value', contentType: JSON_TYPE, payload: nulNote });
  const absurd = [
    '-1',
    '-4700',
    '0',
    '1e308',
    '99999999999999999999999999',
    'NaN',
    'Infinity',
    '4700.5',
    '0x10',
    ' 4700',
    '',
    'null',
    '١٢٣',
  ];
  absurd.forEach((amount, index) => {
    const fields = purchase(TEST_SECRET, 10_000 + index);
    const charge = ((fields.order as Fields).charges as Fields[])[0]!;
    charge.amount = amount;
    (fields.order as Fields).total = amount;
    cases.push({
      name: `absurd amount ${JSON.stringify(amount)}`,
      contentType: index % 2 ? JSON_TYPE : FORM,
      payload: index % 2 ? encodeJson(fields) : encodeForm(fields),
    });
  });
  [
    '\r\n',
    '\r\nX-Injected: 1',
    '\n{"level":60}',
    '\u2028',
    '<script>alert(1)</script>',
    "'; drop table contacts; --",
    '${THRIVECART_SECRET}',
    'a'.repeat(10_000),
  ].forEach((value, index) => {
    const fields = purchase(TEST_SECRET, 20_000 + index);
    (fields.customer as Fields).first_name = value;
    (fields.customer as Fields).last_name = value;
    cases.push({
      name: `hostile name ${JSON.stringify(value.slice(0, 16))}`,
      contentType: FORM,
      payload: encodeForm(fields),
    });
  });
  ['order.unknown', 'ORDER.SUCCESS', '', 'order.success ', 'x'.repeat(500), 'constructor', '__proto__'].forEach(
    (event, index) => {
      const fields = { ...purchase(TEST_SECRET, 30_000 + index), event };
      cases.push({
        name: `event ${JSON.stringify(event.slice(0, 20))}`,
        contentType: FORM,
        payload: encodeForm(fields),
      });
    },
  );
  ['not-an-email', '', 'a@b', `${'x'.repeat(300)}@example.com`, 'UPPER@EXAMPLE.COM'].forEach((email, index) => {
    const fields = purchase(TEST_SECRET, 40_000 + index);
    (fields.customer as Fields).email = email;
    cases.push({
      name: `email ${JSON.stringify(email.slice(0, 20))}`,
      contentType: JSON_TYPE,
      payload: encodeJson(fields),
    });
  });
  ['', '-1', 'abc', '1'.repeat(100), '2147483648'].forEach((orderId, index) => {
    const fields = { ...purchase(TEST_SECRET, 50_000 + index), order_id: orderId };
    cases.push({
      name: `order id ${JSON.stringify(orderId.slice(0, 20))}`,
      contentType: FORM,
      payload: encodeForm(fields),
    });
  });
  return cases;
}

async function send(handoff: TestHandoff, hostile: HostileCase): Promise<{ status: number; outcome: unknown }> {
  const response = await handoff.server.inject({
    method: 'POST',
    url: '/webhooks/thrivecart',
    headers: hostile.contentType === undefined ? {} : { 'content-type': hostile.contentType },
    payload: hostile.payload,
  });
  return { status: response.statusCode, outcome: response.json<{ status?: unknown }>().status };
}

async function post(handoff: TestHandoff, hostile: HostileCase): Promise<number> {
  return (await send(handoff, hostile)).status;
}

/**
 * Refused calls are counted (per day and reason, migration 012) so the console can say why
 * ThriveCart's calls fail; that table is the one allowed to move, and it cannot grow with the flood.
 */
function withoutRefusalCounts(fingerprints: Record<string, string>): Record<string, string> {
  const { refused_deliveries: _counted, ...rest } = fingerprints;
  return rest;
}

async function refusalCountRows(handoff: TestHandoff): Promise<number> {
  return (await handoff.runtime.ctx.pool.query<{ n: number }>('select count(*)::int as n from refused_deliveries'))
    .rows[0]!.n;
}

describe('hostile input over HTTP', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff();
  });
  afterAll(() => handoff.close());

  it('refuses more than a thousand unauthentic or unreadable bodies with a 4xx and changes no row of any table but the refusal counts', async () => {
    const cases = unauthenticCases();
    expect(cases.length).toBeGreaterThanOrEqual(1_000);
    const before = await tableFingerprints(handoff.runtime.ctx.pool);
    const wrong: string[] = [];
    for (const hostile of cases) {
      const status = await post(handoff, hostile);
      // 422 would mean "authentic, stored as rejected": not an answer an unauthentic body may get.
      if (status < 400 || status >= 500 || status === 422) wrong.push(`${hostile.name}: ${status}`);
      if (!prototypeUntouched()) wrong.push(`${hostile.name}: Object.prototype changed`);
    }
    expect(wrong).toEqual([]);
    expect(withoutRefusalCounts(await tableFingerprints(handoff.runtime.ctx.pool))).toEqual(
      withoutRefusalCounts(before),
    );
    expect(await refusalCountRows(handoff)).toBeLessThanOrEqual(5);
  }, 120_000);

  it('answers authentic but malformed deliveries with a 4xx or a 2xx that ignores them', async () => {
    const wrong: string[] = [];
    for (const hostile of authenticMalformedCases()) {
      const { status, outcome } = await send(handoff, hostile);
      const refused = status >= 400 && status < 500;
      const ignored = status === 200 && (outcome === 'ignored' || outcome === 'duplicate');
      if (!refused && !ignored) wrong.push(`${hostile.name}: ${status} ${String(outcome)}`);
    }
    expect(wrong).toEqual([]);
  });

  it('answers authentic deliveries with hostile values with a 4xx or a 2xx, never a 5xx, and keeps working', async () => {
    const wrong: string[] = [];
    for (const hostile of authenticCases()) {
      const status = await post(handoff, hostile);
      if (status >= 500 || status < 200 || (status >= 300 && status < 400)) wrong.push(`${hostile.name}: ${status}`);
      if (!prototypeUntouched()) wrong.push(`${hostile.name}: Object.prototype changed`);
    }
    expect(wrong).toEqual([]);
    const after = await handoff.send('purchase', { email: 'after-hostile@example.com', orderId: '799999' });
    expect(after).toMatchObject({ status: 200, body: { status: 'applied' } });
  }, 120_000);

  it('never answers arbitrary bytes with a 5xx, and without the secret word never stores anything (fast-check)', async () => {
    const before = await tableFingerprints(handoff.runtime.ctx.pool);
    const bodies = fc.oneof(
      fc.string({ maxLength: 400 }),
      fc.string({ unit: 'binary', maxLength: 400 }),
      fc.uint8Array({ maxLength: 400 }).map((bytes) => Buffer.from(bytes)),
      fc
        .dictionary(fc.string({ maxLength: 12 }), fc.oneof(fc.string({ maxLength: 20 }), fc.constant('__proto__')))
        .map((entries) => encodeForm(entries as Fields)),
      fc.json({ maxDepth: 8 }),
    );
    const contentTypes = fc.constantFrom(FORM, JSON_TYPE, `${JSON_TYPE}; charset=utf-8`, 'text/plain', undefined);
    await fc.assert(
      fc.asyncProperty(bodies, contentTypes, async (payload, contentType) => {
        const status = await post(handoff, { name: 'fuzz', contentType, payload });
        expect(status).toBeLessThan(500);
        expect(prototypeUntouched()).toBe(true);
      }),
      { numRuns: 500 },
    );
    expect(withoutRefusalCounts(await tableFingerprints(handoff.runtime.ctx.pool))).toEqual(
      withoutRefusalCounts(before),
    );
    expect(await refusalCountRows(handoff)).toBeLessThanOrEqual(5);
  }, 120_000);
});
