/**
 * parseFormBody is a hand-written replacement for qs.parse with the options below. For bodies in
 * ThriveCart's grammar it must give exactly what qs gives; where qs gives up (its limits) it must
 * refuse too; and the shapes it refuses on purpose (see parseFormBody) must be refused, never
 * parsed differently.
 */
import fc from 'fast-check';
import qs from 'qs';
import { describe, expect, it } from 'vitest';
import { BodyError, parseFormBody, type Fields } from '../../src/adapters/sources/thrivecart/parse-body.ts';

const RUNS = 2000;
const QS_OPTIONS = {
  depth: 6,
  strictDepth: true,
  arrayLimit: 200,
  parameterLimit: 2000,
  throwOnLimitExceeded: true,
  allowPrototypes: false,
  plainObjects: true,
};

/** The messages of refusals that qs has no counterpart for: strict decoding and the refused shapes. */
const DELIBERATE_REFUSAL =
  /invalid percent-encoding|NUL byte|not valid UTF-8|forbidden key|no name before|closing bracket before any opening|unclosed or nested bracket|text after a closing bracket|\[\] before its end|conflicts with an earlier key/;

type Outcome = { parsed: unknown } | { error: unknown };

function outcome(parse: () => unknown): Outcome {
  try {
    return { parsed: parse() };
  } catch (error) {
    return { error };
  }
}

const viaQs = (raw: string): Outcome => outcome(() => qs.parse(raw, QS_OPTIONS));
const viaUs = (raw: string): Outcome => outcome(() => parseFormBody(raw));

// --- ThriveCart's grammar: names and segments of any text but brackets, list indexes, values of any text.

const textCharacter = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('a', 'b', 'z', 'A', '_', '-', '.', '0', '7', ' ') },
  {
    weight: 2,
    arbitrary: fc.constantFrom('@', '&', '=', '+', '%', '/', ':', '#', '?', ',', ';', '"', "'", '~', '*', '(', '\n'),
  },
  { weight: 2, arbitrary: fc.constantFrom('é', 'ß', '€', '中', '😀', '👍🏽', '\u00a0', 'Ω', '\u2028') },
);
const text = (minLength: number) =>
  fc.array(textCharacter, { minLength, maxLength: 8 }).map((characters) => characters.join(''));
const name = fc.oneof(fc.constantFrom('customer', 'order', 'purchase_map', 'event', '0', 'pro-rata'), text(1));
const segment = fc.oneof(
  { weight: 3, arbitrary: fc.nat({ max: 12 }).map(String) },
  {
    weight: 1,
    arbitrary: fc.constantFrom('199', '00', '01', '-1', '1.5', '1e2', '99999999999999999999', 'amount', 'address'),
  },
  { weight: 3, arbitrary: text(1) },
);
// Up to 7 segments: the 7th is past the depth limit, which qs and we both refuse.
const path = fc.tuple(name, fc.array(segment, { maxLength: 7 })).map(([head, rest]) => [head, ...rest]);

/** One leaf of the tree: a value, a key repeated with several values, or an `a[]` list. */
type Leaf =
  { kind: 'value'; values: string[] } | { kind: 'repeated'; values: string[] } | { kind: 'list'; values: string[] };
const leaf: fc.Arbitrary<Leaf> = fc.oneof(
  { weight: 6, arbitrary: text(0).map((value) => ({ kind: 'value' as const, values: [value] })) },
  {
    weight: 1,
    arbitrary: fc
      .array(text(0), { minLength: 2, maxLength: 3 })
      .map((values) => ({ kind: 'repeated' as const, values })),
  },
  {
    weight: 1,
    arbitrary: fc.array(text(0), { minLength: 1, maxLength: 3 }).map((values) => ({ kind: 'list' as const, values })),
  },
);

/** Leaves at distinct paths, none inside another (a field is a value or a group, never both). */
const leaves = fc.array(fc.tuple(path, leaf), { maxLength: 25 }).map((entries) => {
  const kept: Array<[string[], Leaf]> = [];
  const isPrefix = (short: string[], long: string[]) =>
    short.length <= long.length && short.every((part, index) => part === long[index]);
  for (const [candidate, value] of entries) {
    if (kept.some(([other]) => isPrefix(other, candidate) || isPrefix(candidate, other))) continue;
    kept.push([candidate, value]);
  }
  return kept;
});

/** How a pair is spelled: brackets plain or escaped (either case), spaces as `+` or `%20`. */
const spelling = fc.record({
  brackets: fc.constantFrom('[]', '%5B%5D', '%5b%5d'),
  spaces: fc.constantFrom('+', '%20'),
});
type Spelling = { brackets: string; spaces: string };

function encodeText(value: string, how: Spelling): string {
  return encodeURIComponent(value).replaceAll('%20', how.spaces);
}

function encodeKey(parts: string[], how: Spelling): string {
  const open = how.brackets.slice(0, how.brackets.length / 2);
  const close = how.brackets.slice(how.brackets.length / 2);
  const [head, ...rest] = parts;
  return encodeText(head!, how) + rest.map((part) => `${open}${encodeText(part, how)}${close}`).join('');
}

/** Every pair of the tree, spelled each its own way, in an arbitrary order, with empty pieces here and there. */
const grammarBody = leaves
  .chain((entries) => {
    const pairs = entries.flatMap(([parts, value]) =>
      value.values.map((text) => ({ parts: value.kind === 'list' ? [...parts, ''] : parts, text })),
    );
    return fc.tuple(
      fc.shuffledSubarray(pairs, { minLength: pairs.length, maxLength: pairs.length }),
      fc.array(spelling, { minLength: pairs.length, maxLength: pairs.length }),
      fc.array(fc.constantFrom('', '=', '=ignored', '&'), { maxLength: 2 }),
    );
  })
  .map(([pairs, spellings, extras]) => {
    const spelled = pairs.map(({ parts, text }, index) => {
      const how = spellings[index]!;
      // A pair without `=` has the empty value, as does `key=`.
      return text === '' && index % 2 === 0
        ? encodeKey(parts, how)
        : `${encodeKey(parts, how)}=${encodeText(text, how)}`;
    });
    return [...extras, ...spelled, ...extras].join('&');
  });

// --- Shapes qs accepts and we refuse, each as a small body to splice into a grammar body.

const refusedShape = fc.constantFrom(
  '[injected]=1',
  '%5Binjected%5D=1',
  'inj]ected=1',
  'inj%5Dected[a]=1',
  'injected[a=1',
  'injected%5Ba=1',
  'injected[[a]=1',
  'injected[a[b]]=1',
  'injected[a]tail=1',
  'injected[a]]=1',
  'injected[a][]tail=1',
  'injected[][a]=1',
  'injected=1&injected[a]=2',
  'injected[a]=2&injected=1',
  'injected[a][b]=1&injected[a]=2',
  'injected[]=1&injected[0]=2',
  'injected[5]=1&injected[]=2',
  'injected[]=1&injected[a]=2',
  'injected=1&injected[]=2',
  'injected[]=1&injected=2',
);

// --- Free-form bodies from pieces that provoke qs's corner cases.

const piece = fc.constantFrom(
  'a',
  'b',
  '0',
  '1',
  '199',
  '200',
  '01',
  '[',
  ']',
  '[]',
  '%5B',
  '%5d',
  '=',
  '==',
  '&',
  '+',
  '%20',
  '%E2%82%AC',
  '%',
  '%zz',
  '.',
  ' ',
);
const freeBody = fc.array(piece, { maxLength: 30 }).map((pieces) => pieces.join(''));

describe('parseFormBody against qs.parse', () => {
  it('gives exactly what qs gives for bodies in ThriveCart grammar', () => {
    fc.assert(
      fc.property(grammarBody, (raw) => {
        const ours = viaUs(raw);
        const theirs = viaQs(raw);
        if ('error' in theirs) {
          // Only qs's limits: nesting past 6 levels, list indexes from 200 on.
          expect(theirs.error).toBeInstanceOf(RangeError);
          expect('error' in ours && ours.error instanceof BodyError).toBe(true);
          return;
        }
        if ('error' in ours) throw ours.error;
        expect(ours.parsed).toStrictEqual(theirs.parsed);
      }),
      { numRuns: RUNS },
    );
  });

  it('refuses, with a BodyError that says why, the shapes it deliberately does not match', () => {
    fc.assert(
      fc.property(grammarBody, refusedShape, fc.nat(), (raw, injected, at) => {
        const pairs = raw === '' ? [] : raw.split('&');
        pairs.splice(at % (pairs.length + 1), 0, injected);
        const body = pairs.join('&');
        fc.pre(!('error' in viaQs(raw)));
        expect('parsed' in viaQs(body)).toBe(true);
        const ours = viaUs(body);
        expect('error' in ours && ours.error instanceof BodyError).toBe(true);
        expect((ours as { error: BodyError }).error.message).toMatch(DELIBERATE_REFUSAL);
      }),
      { numRuns: RUNS },
    );
  });

  it('on free-form bodies either agrees with qs or refuses on purpose, and refuses whatever qs refuses', () => {
    fc.assert(
      fc.property(freeBody, (raw) => {
        const ours = viaUs(raw);
        const theirs = viaQs(raw);
        if ('error' in ours) {
          expect(ours.error).toBeInstanceOf(BodyError);
          if ('parsed' in theirs) expect((ours.error as BodyError).message).toMatch(DELIBERATE_REFUSAL);
          return;
        }
        expect('parsed' in theirs).toBe(true);
        expect(ours.parsed).toStrictEqual((theirs as { parsed: unknown }).parsed);
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

describe('parseFormBody on qs corner cases', () => {
  const parsed = (raw: string): unknown => JSON.parse(JSON.stringify(parseFormBody(raw) satisfies Fields));

  it.each([
    ['a[1]=x&a[0]=y&a[1]=z', { a: ['y', ['x', 'z']] }],
    ['a[5]=x&a[2]=y', { a: ['y', 'x'] }],
    ['a[0]=x&a[b]=y&a[01]=z', { a: { 0: 'x', b: 'y', '01': 'z' } }],
    ['a[99999999999999999999]=x', { a: { '99999999999999999999': 'x' } }],
    ['a[]=x&a[]=y&b[c][]=z', { a: ['x', 'y'], b: { c: ['z'] } }],
    ['a=x&a=y', { a: ['x', 'y'] }],
    ['a%5b0%5D=x', { a: ['x'] }],
    ['a[x=1]=2', { a: { 'x=1': '2' } }],
    ['a[x]=1]=2', { a: { x: '1]=2' } }],
    ['a=b=c', { a: 'b=c' }],
    ['=x&&b&0=y', { b: '', 0: 'y' }],
  ])('%s', (raw, expected) => {
    expect(parsed(raw)).toEqual(expected);
    expect(parsed(raw)).toEqual(JSON.parse(JSON.stringify(qs.parse(raw, QS_OPTIONS))));
  });

  it.each([
    ['[a]=1', /has no name before its first bracket/],
    ['a]b[c]=1', /closing bracket before any opening one/],
    ['a=1]=2', /"a=1\]" has a closing bracket before any opening one/],
    ['a[b=1', /unclosed or nested bracket/],
    ['a[b[c]]=1', /unclosed or nested bracket/],
    ['a[b]c=1', /text after a closing bracket/],
    ['a[][b]=1', /\[\] before its end/],
    ['a=1&a[b]=2', /"a\[b\]" conflicts with an earlier key/],
    ['a[b]=2&a=1', /"a" conflicts with an earlier key/],
    ['a[]=1&a[0]=2', /conflicts with an earlier key/],
    ['a[]=1&a=2', /conflicts with an earlier key/],
  ])('refuses %s, which qs accepts', (raw, message) => {
    expect(() => qs.parse(raw, QS_OPTIONS)).not.toThrow();
    expect(() => parseFormBody(raw)).toThrow(message);
  });

  it('allows 200 values for a repeated key or an [] list, as qs does, and refuses the 201st', () => {
    for (const key of ['a', 'a[]', 'a[b]']) {
      const body = (count: number) => Array.from({ length: count }, () => `${key}=v`).join('&');
      expect(() => parseFormBody(body(200))).not.toThrow();
      expect(() => qs.parse(body(201), QS_OPTIONS)).toThrow(/Array limit/);
      expect(() => parseFormBody(body(201))).toThrow(/Array limit/);
    }
  });

  it('refuses list indexes from 200 on, as qs does', () => {
    expect(parsed('a[199]=x')).toEqual({ a: ['x'] });
    for (const raw of ['a[200]=x', 'a[b][4294967295]=x']) {
      expect(() => qs.parse(raw, QS_OPTIONS)).toThrow(/Array limit/);
      expect(() => parseFormBody(raw)).toThrow(/Array limit/);
    }
  });
});
