/**
 * Turns a raw ThriveCart webhook body (form or JSON) into a tree of strings.
 *
 * The body is attacker-controlled until the secret has been checked, and the secret itself is
 * inside the body, so this runs on unauthenticated input: it must be total (only BodyError
 * escapes), bounded (depth, parameter and leaf limits) and must never build objects that inherit
 * from, or write to, Object.prototype.
 */
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
/** Longest list (purchase_map / charges indexes 0–199, or repeats of a key); anything longer is not a checkout. */
const MAX_LIST_LENGTH = 200;

/** Keys that mean something to JavaScript objects (`__proto__`, `constructor`, `prototype`); never legitimate in a ThriveCart body. */
function isForbiddenKey(key: string): boolean {
  // Compared by length first: this runs for every part of every key.
  return key.length === 9 ? key === '__proto__' || key === 'prototype' : key.length === 11 && key === 'constructor';
}

/**
 * Text that went through a lossy UTF-8 decode upstream (U+FFFD), or that cannot be valid UTF-8
 * (lone surrogates), is rejected rather than stored half-garbled: the HTTP layer decodes bytes
 * with replacement, so U+FFFD is how invalid UTF-8 reaches us. Returns what is wrong, if anything.
 */
function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL byte';
  if (text.includes('\uFFFD') || !isWellFormed(text)) return 'is not valid UTF-8';
  return undefined;
}

/** `what` is only built for the error (this runs for every key and value of every delivery). */
function assertCleanText(text: string, what: () => string): void {
  const problem = textProblem(text);
  if (problem !== undefined) throw new BodyError(`${what()} ${problem}`);
}

/** `String.prototype.isWellFormed` (ES2024; Node 20 has it, the ES2023 typings do not). */
function isWellFormed(text: string): boolean {
  return (text as string & { isWellFormed(): boolean }).isWellFormed();
}

function assertAllowedKey(key: string, where: () => string): void {
  if (isForbiddenKey(key)) throw new BodyError(`forbidden key "${key}" in ${where()}`);
}

/** Shortened for error messages; a key, never a value (a value may be the secret). */
function describeKey(key: string): string {
  return JSON.stringify(key.length > 60 ? `${key.slice(0, 60)}…` : key);
}

/**
 * Copies a parsed JSON tree into null-prototype objects, checking shape and limits on the way: the
 * same definition of "valid" the form parser applies while it builds its tree.
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

/**
 * `application/x-www-form-urlencoded` with PHP-style bracket keys, as ThriveCart posts by default.
 *
 * One pass over the pairs, building the tree as it goes. For every shape ThriveCart sends the result
 * is what `qs.parse(raw, { depth: 6, strictDepth: true, arrayLimit: 200, parameterLimit: 2000,
 * throwOnLimitExceeded: true, allowPrototypes: false, plainObjects: true })` gives (a differential
 * property test holds us to that): a group whose keys are all list indexes becomes a list in index
 * order, holes closed up; `a[]` collects a list; a repeated key collects its values into a list.
 *
 * Shapes qs accepts but ThriveCart never sends, and for which qs's answer drops text, lets two keys
 * name the same field, or depends on the order of the pairs, are refused rather than matched:
 * - no name before the first bracket (`[a]=1` reads as `a=1` in qs);
 * - a closing bracket in the name (`a]b`: qs keeps it as text; the old check refused a prototype
 *   key after it, `]__proto__`, and refusing the bracket keeps that so);
 * - an unclosed bracket or one inside a segment (`a[b`, `a[[b]`: qs keeps the brackets as text);
 * - text after a closing bracket (`a[b]c`: qs drops `c`);
 * - `[]` before the end of a key (`a[][b]`: qs merges every such key into the first element);
 * - one field used as two things: a value and a group (`a=1&a[b]=2`), or a `[]` list and anything
 *   else (`a[]=1&a[5]=2`): qs then builds a mixed list whose order depends on the order of the pairs.
 */
export function parseFormBody(raw: string): Fields {
  const pairs = raw.split('&', MAX_FIELDS + 1);
  if (pairs.length > MAX_FIELDS) throw new BodyError(`more than ${MAX_FIELDS} form parameters`);
  // A body with none of these characters needs no text check for parts without a `%`.
  const checkRawText = raw.includes('\u0000') || SUSPECT_CHARACTER.test(raw);
  const tree = new FormTree();
  for (const pair of pairs) {
    const split = keyValueSplit(pair);
    const encodedKey = split === -1 ? pair : pair.slice(0, split);
    // qs skips pairs without a name (`=x`, the empty pieces of `a=1&&b=2`); so do we, but still
    // decode their value so that a malformed one is refused wherever it is.
    const path = encodedKey === '' ? undefined : parseFormKey(encodedKey, checkRawText);
    const value = split === -1 ? '' : decodeFormText(pair.slice(split + 1), checkRawText, encodedKey, true);
    if (path !== undefined) tree.add(path, value, encodedKey);
  }
  return tree.finish();
}

/** U+FFFD and surrogates (lone ones are invalid; a pair is fine but costs the slow check). */
const SUSPECT_CHARACTER = /[\uFFFD\uD800-\uDFFF]/;

/**
 * Percent-decoding that fails loudly (qs's default silently keeps malformed escapes). A `%00` or
 * `%EF%BF%BD` only shows after decoding, so decoded text is always checked; raw text only when the
 * body holds a suspect character at all. `decodeURIComponent` refuses encoded surrogates. Errors
 * name the key (`encodedKey`), never the value, which may be the secret.
 */
function decodeFormText(encoded: string, checkRawText: boolean, encodedKey: string, isValue: boolean): string {
  let decoded: string;
  if (encoded.includes('%')) {
    try {
      decoded = decodeURIComponent(encoded.replaceAll('+', ' '));
    } catch {
      throw new BodyError(`invalid percent-encoding in ${formTextSubject(encodedKey, isValue)}`);
    }
  } else {
    decoded = encoded.includes('+') ? encoded.replaceAll('+', ' ') : encoded;
    if (!checkRawText) return decoded;
  }
  const problem = textProblem(decoded);
  if (problem !== undefined) throw new BodyError(`${formTextSubject(encodedKey, isValue)} ${problem}`);
  return decoded;
}

function formTextSubject(encodedKey: string, isValue: boolean): string {
  return isValue
    ? `value of form field ${describeKey(readableKey(encodedKey))}`
    : `form key ${describeKey(encodedKey)}`;
}

/** A key as decoded text, for error messages; as received if it does not decode. */
function readableKey(encoded: string): string {
  try {
    return decodeURIComponent(encoded.replaceAll('+', ' '));
  } catch {
    return encoded;
  }
}

/**
 * Where qs cuts a pair into key and value: at the first `]=` (`%5D=` counts, qs turns `%5D` into
 * `]` before splitting), else at the first `=`; -1 when there is no `=`. Only a pair with two or more
 * `=` can tell the two rules apart.
 */
function keyValueSplit(pair: string): number {
  const firstEquals = pair.indexOf('=');
  if (firstEquals === -1 || pair.indexOf('=', firstEquals + 1) === -1) return firstEquals;
  for (let at = firstEquals; at !== -1; at = pair.indexOf('=', at + 1)) {
    if (pair[at - 1] === ']' || /^%5d$/i.test(pair.slice(at - 3, at))) return at;
  }
  return firstEquals;
}

const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const PERCENT = 0x25;

/** `%5B` or `%5D` in either case: qs rewrites these to brackets before it reads a key. */
function isEscapedBracket(text: string, at: number): boolean {
  if (text.charCodeAt(at + 1) !== 0x35) return false;
  const letter = text.charCodeAt(at + 2) | 0x20;
  return letter === 0x62 || letter === 0x64;
}

/**
 * Where the next bracket (`[`, `]`, `%5B`, `%5D`) starts at or after `from`, or -1. A `%` that
 * starts no bracket is passed one character at a time, as qs's rewrite does (`%%5B` holds one).
 * Keys as ThriveCart sends them escape every bracket, so `hasPlainBrackets` lets those jump from
 * `%` to `%` instead of reading every character.
 */
function nextBracket(key: string, from: number, hasPlainBrackets: boolean): number {
  if (!hasPlainBrackets) {
    for (let at = key.indexOf('%', from); at !== -1; at = key.indexOf('%', at + 1))
      if (isEscapedBracket(key, at)) return at;
    return -1;
  }
  for (let at = from; at < key.length; at += 1) {
    const code = key.charCodeAt(at);
    if (code === OPEN_BRACKET || code === CLOSE_BRACKET || (code === PERCENT && isEscapedBracket(key, at))) return at;
  }
  return -1;
}

/**
 * `name[a][b]` → `['name', 'a', 'b']`; a final `[]` gives a final `''`. Brackets are found in the
 * encoded key and each part is decoded on its own: no escape can span a bracket, so the parts are
 * the same text as when the whole key is decoded first, and the usual `%5B…%5D` keys need no
 * decoding at all. Refuses the shapes listed at parseFormBody, prototype keys in any part, nesting
 * past MAX_DEPTH and list indexes past the limit.
 */
function parseFormKey(encoded: string, checkRawText: boolean): string[] {
  const hasPlainBrackets = encoded.includes('[') || encoded.includes(']');
  const path: string[] = [];
  let partStart = 0;
  let inBrackets = false;
  for (let at = nextBracket(encoded, 0, hasPlainBrackets); at !== -1;) {
    const escaped = encoded.charCodeAt(at) === PERCENT;
    const opens = escaped ? (encoded.charCodeAt(at + 2) | 0x20) === 0x62 : encoded.charCodeAt(at) === OPEN_BRACKET;
    const end = at + (escaped ? 3 : 1);
    if (opens) {
      if (inBrackets) throw badKey(encoded, 'has an unclosed or nested bracket');
      if (path.length === 0) {
        const name = keyPart(encoded, partStart, at, checkRawText);
        if (name === '') throw badKey(encoded, 'has no name before its first bracket');
        path.push(name);
      } else if (at !== partStart) {
        throw badKey(encoded, 'has text after a closing bracket');
      } else if (path.length > MAX_DEPTH) {
        throw badKey(encoded, `is nested past the depth limit of ${MAX_DEPTH}`);
      }
      inBrackets = true;
    } else if (inBrackets) {
      if (path.length > 1 && path[path.length - 1] === '') throw badKey(encoded, 'has [] before its end');
      const segment = keyPart(encoded, partStart, at, checkRawText);
      if (isListIndex(segment) && Number(segment) >= MAX_LIST_LENGTH) {
        throw badKey(encoded, `exceeds the Array limit: list indexes go up to ${MAX_LIST_LENGTH - 1}`);
      }
      path.push(segment);
      inBrackets = false;
    } else {
      throw badKey(
        encoded,
        path.length > 0 ? 'has text after a closing bracket' : 'has a closing bracket before any opening one',
      );
    }
    partStart = end;
    at = nextBracket(encoded, end, hasPlainBrackets);
  }
  if (inBrackets) throw badKey(encoded, 'has an unclosed or nested bracket');
  if (path.length === 0) path.push(keyPart(encoded, 0, encoded.length, checkRawText));
  else if (partStart !== encoded.length) throw badKey(encoded, 'has text after a closing bracket');
  return path;
}

/** The name or one segment of a key, decoded and checked. */
function keyPart(encoded: string, start: number, end: number, checkRawText: boolean): string {
  const part = decodeFormText(encoded.slice(start, end), checkRawText, encoded, false);
  if (isForbiddenKey(part))
    throw new BodyError(`forbidden key "${part}" in form key ${describeKey(readableKey(encoded))}`);
  return part;
}

function badKey(encoded: string, problem: string): BodyError {
  return new BodyError(`form key ${describeKey(readableKey(encoded))} ${problem}`);
}

/** qs's list index: canonical decimal digits that survive the round trip through a number. */
function isListIndex(segment: string): boolean {
  const length = segment.length;
  const first = segment.charCodeAt(0);
  if (first < 0x30 || first > 0x39 || (first === 0x30 && length > 1)) return false;
  for (let at = 1; at < length; at += 1) {
    const code = segment.charCodeAt(at);
    if (code < 0x30 || code > 0x39) return false;
  }
  // Up to 15 digits every integer is exact; longer ones may round to another number.
  return length < 16 || String(Number(segment)) === segment;
}

/** A group that got a list index as a key, remembered so finish() can turn it into a list. */
interface IndexedGroup {
  parent: Fields;
  key: string;
  group: Fields;
  depth: number;
}

/**
 * The tree under construction: groups are null-prototype objects from the start, a leaf is its
 * text, or the list of texts of a repeated key or an `a[]` key. Groups are turned into lists only
 * at the end, when all their keys are known.
 */
class FormTree {
  private readonly root: Fields = Object.create(null);
  /** The lists built by `a[]`, told apart from repeated-key lists (same type) for conflict checks. */
  private bracketLists: Set<FieldValue[]> | undefined;
  private readonly indexedGroups: IndexedGroup[] = [];

  /** `encodedKey` only names the field in errors. */
  add(path: readonly string[], value: string, encodedKey: string): void {
    const isBracketList = path.length > 1 && path[path.length - 1] === '';
    const leafDepth = isBracketList ? path.length - 2 : path.length - 1;
    let parent: Fields | undefined;
    let group = this.root;
    for (let depth = 0; depth < leafDepth; depth += 1) {
      const name = path[depth]!;
      let child = group[name];
      if (child === undefined) {
        child = Object.create(null) as Fields;
        group[name] = child;
        this.noteIfIndex(parent, path[depth - 1], group, name, depth);
      } else if (typeof child === 'string' || Array.isArray(child)) {
        throw fieldConflict(encodedKey);
      }
      parent = group;
      group = child;
    }
    const name = path[leafDepth]!;
    const existing = group[name];
    if (existing === undefined) {
      group[name] = isBracketList ? this.newBracketList(value) : value;
      this.noteIfIndex(parent, path[leafDepth - 1], group, name, leafDepth);
    } else if (this.takesMoreValues(existing, isBracketList)) {
      group[name] = appendToList(existing, value, encodedKey);
    } else {
      throw fieldConflict(encodedKey);
    }
  }

  /**
   * Deepest groups first, so a list built from a group holds its children's final form. Integer
   * keys enumerate first and in ascending order, so Object.values lists the values by index with
   * the holes closed, as qs's compaction does.
   */
  finish(): Fields {
    this.indexedGroups.sort((a, b) => b.depth - a.depth);
    for (const { parent, key, group } of this.indexedGroups) {
      // Noted once per index it holds: once turned into a list, its parent holds the list instead.
      if (parent[key] === group && keysAreAllListIndexes(group)) parent[key] = Object.values(group);
    }
    return this.root;
  }

  /** A repeated key adds to its value or values, another `a[]` to its list; anything else is a conflict. */
  private takesMoreValues(existing: FieldValue, isBracketList: boolean): existing is string | FieldValue[] {
    if (isBracketList) return this.isBracketList(existing);
    return typeof existing === 'string' || (Array.isArray(existing) && !this.isBracketList(existing));
  }

  private noteIfIndex(
    parent: Fields | undefined,
    key: string | undefined,
    group: Fields,
    name: string,
    depth: number,
  ): void {
    // The top level stays a group whatever its keys, as in qs.
    if (parent !== undefined && key !== undefined && isListIndex(name))
      this.indexedGroups.push({ parent, key, group, depth });
  }

  private newBracketList(value: string): FieldValue[] {
    const list = [value];
    this.bracketLists ??= new Set();
    this.bracketLists.add(list);
    return list;
  }

  private isBracketList(value: FieldValue): boolean {
    return this.bracketLists !== undefined && Array.isArray(value) && this.bracketLists.has(value);
  }
}

function keysAreAllListIndexes(group: Fields): boolean {
  for (const key in group) if (!isListIndex(key)) return false;
  return true;
}

/** A repeated key or another `a[]` value; qs refuses the 201st value with its array limit. */
function appendToList(existing: string | FieldValue[], value: string, encodedKey: string): FieldValue[] {
  if (typeof existing === 'string') return [existing, value];
  if (existing.length >= MAX_LIST_LENGTH) {
    throw new BodyError(
      `form key ${describeKey(readableKey(encodedKey))} exceeds the Array limit: more than ${MAX_LIST_LENGTH} values`,
    );
  }
  existing.push(value);
  return existing;
}

function fieldConflict(encodedKey: string): BodyError {
  return new BodyError(
    `form key ${describeKey(readableKey(encodedKey))} conflicts with an earlier key: a field is one value, one [] list or one group`,
  );
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
