/** The secret word is echoed in every delivery; strip it before a body is logged or stored. */
import type { FieldValue, Fields } from './parse-body.ts';

const SECRET_KEY = 'thrivecart_secret';

/**
 * The fields without `thrivecart_secret` at any level. Only the groups on the way to a secret are
 * copied (null-prototype objects, like the input, keys in their order); every other group and list
 * is shared with the input, which nothing changes once parsed. ThriveCart sends the secret at the
 * top level only, so a delivery costs a copy of its top level rather than of its whole tree.
 */
export function redactSecret(fields: Fields): Fields {
  return redactedGroup(fields) ?? fields;
}

/** The redacted copy of `value`, or null when it holds no secret (it is then used as it is). */
function redacted(value: FieldValue): FieldValue | null {
  if (typeof value === 'string') return null;
  return Array.isArray(value) ? redactedList(value) : redactedGroup(value);
}

function redactedGroup(group: Fields): Fields | null {
  const keys = Object.keys(group);
  const first = keys.findIndex((key) => key === SECRET_KEY || redacted(group[key]!) !== null);
  if (first === -1) return null;
  const copy: Fields = Object.create(null);
  for (const [index, key] of keys.entries()) {
    if (key === SECRET_KEY) continue;
    const value = group[key]!;
    copy[key] = index < first ? value : (redacted(value) ?? value);
  }
  return copy;
}

function redactedList(list: FieldValue[]): FieldValue[] | null {
  const first = list.findIndex((item) => redacted(item) !== null);
  if (first === -1) return null;
  return list.map((item, index) => (index < first ? item : (redacted(item) ?? item)));
}
