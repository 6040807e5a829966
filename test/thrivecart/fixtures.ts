/** Loads the captured-shape bodies in ./fixtures (secrets and personal data replaced). */
import { readFileSync } from 'node:fs';
import { parseFormBody, parseJsonBody, type Fields } from '../../src/adapters/sources/thrivecart/parse-body.ts';

export const FIXTURE_ACCOUNT = 'demoacademy';
export const FIXTURE_SECRET = 'FIXTURE5ECRET';

export function fixtureText(name: string): string {
  // Files end with a newline for editors; ThriveCart's bodies do not.
  return readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8').trimEnd();
}

export function fixture(name: string): Fields {
  const raw = fixtureText(name);
  return name.endsWith('.json') ? parseJsonBody(raw) : parseFormBody(raw);
}
