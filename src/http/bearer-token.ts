import { sameTextAs } from '../adapters/crypto/same-text.ts';

/**
 * A constant-time check of `Authorization: Bearer <token>` headers against one token. The token's
 * own digest is computed once: this runs on every API request.
 */
export function bearerTokenChecker(expected: string): (header: string | undefined) => boolean {
  const isExpected = sameTextAs(expected);
  return (header) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    return match !== null && isExpected(match[1]!);
  };
}
