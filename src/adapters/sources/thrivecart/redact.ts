/** The secret word is echoed in every delivery; strip it before a body is logged or stored. */
import type { FieldValue, Fields } from './parse-body.ts';

const SECRET_KEY = 'thrivecart_secret';

function redactValue(value: FieldValue): FieldValue {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(redactValue);
  return redactSecret(value);
}

/** Deep copy without `thrivecart_secret` at any level (null-prototype objects, like the input). */
export function redactSecret(fields: Fields): Fields {
  const copy: Fields = Object.create(null);
  for (const [key, value] of Object.entries(fields)) {
    if (key !== SECRET_KEY) copy[key] = redactValue(value);
  }
  return copy;
}
