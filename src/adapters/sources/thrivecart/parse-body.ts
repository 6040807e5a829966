/**
 * Turns a raw ThriveCart webhook body (form or JSON) into a tree of strings.
 *
 * The body is attacker-controlled until the secret has been checked, and the secret itself is
 * inside the body, so this runs on unauthenticated input: it must be total (only BodyError
 * escapes), bounded (depth, parameter and leaf limits) and must never build objects that inherit
 * from, or write to, Object.prototype.
 */
import qs from 'qs';

export type Fields = { [key: string]: FieldValue };
export type FieldValue = string | Fields | FieldValue[];

/**
 * The value at a path of keys (`['order', 'charges', '0', 'amount']`), or undefined. Only own
 * keys count, so a caller-built plain object cannot leak inherited members.
 */
export function fieldAt(fields: Fields, path: readonly string[]): FieldValue | undefined {
  let current: FieldValue | undefined = fields;
  for (const segment of path) {
    if (current === undefined || typeof current === 'string') return undefined;
    if (Array.isArray(current)) current = /^\d+$/.test(segment) ? current[Number(segment)] : undefined;
    else current = Object.hasOwn(current, segment) ? current[segment] : undefined;
  }
  return current;
}

/** Bad input; the message is a precise, user-facing reason (safe to return in a 400). */
export class BodyError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BodyError';
  }
}

/** ThriveCart's deepest key is `order[future_charges][0][amount]` (3); 6 leaves headroom. */
export const MAX_DEPTH = 6;
/** A real order.success with several items has a few hundred fields. */
export const MAX_FIELDS = 2000;
/** purchase_map / charges indexes; anything larger is not a checkout. */
const MAX_ARRAY_INDEX = 200;

/** Keys that mean something to JavaScript objects; never legitimate in a ThriveCart body. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * Text that went through a lossy UTF-8 decode upstream (U+FFFD), or that cannot be valid UTF-8
 * (lone surrogates), is rejected rather than stored half-garbled: the HTTP layer decodes bytes
 * with replacement, so U+FFFD is how invalid UTF-8 reaches us. `what` is only built for the error
 * (this runs for every key and value of every delivery).
 */
function assertCleanText(text: string, what: () => string): void {
  if (text.includes('\u0000')) throw new BodyError(`${what()} contains a NUL byte`);
  if (text.includes('\uFFFD') || !isWellFormed(text)) throw new BodyError(`${what()} is not valid UTF-8`);
}

/** `String.prototype.isWellFormed` (ES2024; Node 20 has it, the ES2023 typings do not). */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

function assertAllowedKey(key: string, where: () => string): void {
  if (FORBIDDEN_KEYS.has(key)) throw new BodyError(`forbidden key "${key}" in ${where()}`);
}

/** Percent-decoding that fails loudly: qs's default silently keeps malformed escapes. */
function strictDecode(encoded: string, what: () => string): string {
  let decoded = encoded;
  if (encoded.includes('%') || encoded.includes('+')) {
    try {
      decoded = decodeURIComponent(encoded.replace(/\+/g, ' '));
    } catch {
      throw new BodyError(`invalid percent-encoding in ${what()}`);
    }
  }
  assertCleanText(decoded, what);
  return decoded;
}

/** Shortened for error messages; a key, never a value (a value may be the secret). */
function describeKey(key: string): string {
  return JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key);
}

/** Counts `&`-separated pairs up to the limit, without splitting the body. */
function assertFieldCount(raw: string): void {
  let pairs = 1;
  for (let at = raw.indexOf('&'); at !== -1; at = raw.indexOf('&', at + 1)) {
    pairs += 1;
    if (pairs > MAX_FIELDS) throw new BodyError(`more than ${MAX_FIELDS} form parameters`);
  }
}

/**
 * The strict decoder qs runs on every key and value. qs decodes a pair's key just before its
 * value, so the last key names the field in a value's error. qs drops some prototype keys
 * silently; we reject every bracket segment that names one.
 */
function formTokenDecoder(): (encoded: string, kind: 'key' | 'value') => string {
  let lastKey = '';
  return (encoded, kind) => {
    if (kind === 'value') return strictDecode(encoded, () => `value of form field ${describeKey(lastKey)}`);
    const key = strictDecode(encoded, () => `form key ${describeKey(encoded)}`);
    for (const segment of key.split(/[[\]]/)) assertAllowedKey(segment, () => `form key ${describeKey(key)}`);
    lastKey = key;
    return key;
  };
}

/**
 * Copies a parsed tree into null-prototype objects, checking shape and limits on the way. Both
 * decoders funnel through here, so Fields has one definition of "valid" whatever the encoding.
 */
function toFields(root: unknown, convertLeaf: (leaf: unknown, path: string) => string): Fields {
  let leafCount = 0;

  function convert(value: unknown, path: string, depth: number): FieldValue {
    if (value !== null && typeof value === 'object') {
      if (depth > MAX_DEPTH) throw new BodyError(`nesting deeper than ${MAX_DEPTH} levels at ${path}`);
      if (Array.isArray(value)) return value.map((item, index) => convert(item, `${path}[${index}]`, depth + 1));
      const copy: Fields = Object.create(null);
      for (const [key, child] of Object.entries(value)) {
        assertAllowedKey(key, () => path || 'top level');
        assertCleanText(key, () => `key ${describeKey(key)}`);
        copy[key] = convert(child, path ? `${path}[${key}]` : key, depth + 1);
      }
      return copy;
    }
    leafCount += 1;
    if (leafCount > MAX_FIELDS) throw new BodyError(`more than ${MAX_FIELDS} fields`);
    const text = convertLeaf(value, path);
    assertCleanText(text, () => `value of ${path}`);
    return text;
  }

  if (root === null || typeof root !== 'object' || Array.isArray(root)) {
    throw new BodyError('body must be an object at the top level');
  }
  return convert(root, '', 0) as Fields;
}

/** `application/x-www-form-urlencoded` with PHP-style bracket keys, as ThriveCart posts by default. */
export function parseFormBody(raw: string): Fields {
  assertFieldCount(raw);
  const decode = formTokenDecoder();
  let parsed: unknown;
  try {
    parsed = qs.parse(raw, {
      depth: MAX_DEPTH,
      strictDepth: true,
      parameterLimit: MAX_FIELDS,
      arrayLimit: MAX_ARRAY_INDEX,
      throwOnLimitExceeded: true,
      allowPrototypes: false,
      plainObjects: true,
      decoder: (encoded, _defaultDecoder, _charset, kind) => decode(encoded, kind),
    });
  } catch (error) {
    if (error instanceof BodyError) throw error;
    // qs signals its limits (depth, parameters, array size) with RangeError; say which one.
    if (error instanceof RangeError) throw new BodyError(`form body rejected: ${error.message}`);
    throw new BodyError('form body could not be parsed');
  }
  // The decoder has already checked every key and value, qs enforced the depth and the number of
  // parameters, and plainObjects gave null-prototype objects: what is left to check is the shape.
  assertTextTree(parsed);
  return parsed as Fields;
}

/** Every leaf is a string, under objects and arrays only. */
function assertTextTree(value: unknown): void {
  if (typeof value === 'string') return;
  if (Array.isArray(value)) {
    for (const item of value) assertTextTree(item);
    return;
  }
  if (value === null || typeof value !== 'object') throw new BodyError('form body could not be parsed');
  for (const key in value) assertTextTree((value as Record<string, unknown>)[key]);
}

/**
 * The "receive results as JSON" webhook option. ThriveCart sends every leaf as a string; other
 * scalars are accepted and stringified the way PHP would print them, so both encodings of the
 * same delivery produce the same Fields.
 */
export function parseJsonBody(raw: string): Fields {
  assertCleanText(raw, () => 'JSON body');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // JSON.parse's message quotes the input, which may include the secret: keep it out.
    throw new BodyError('body is not valid JSON');
  }
  return toFields(parsed, (leaf, path) => {
    if (typeof leaf === 'string') return leaf;
    if (leaf === null) return 'null';
    if (typeof leaf === 'boolean') return String(leaf);
    if (typeof leaf === 'number') {
      // An 18-digit customer id sent as a JSON number has already lost digits; refuse to guess.
      if (Number.isInteger(leaf) && !Number.isSafeInteger(leaf)) {
        throw new BodyError(`number at ${path} is too large to keep exactly; send it as a string`);
      }
      return String(leaf);
    }
    throw new BodyError(`value of ${path} is not text`);
  });
}
