import { createHash, timingSafeEqual } from 'node:crypto';

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}

/**
 * A constant-time check of `Authorization: Bearer <token>` headers against one token (hashing
 * equalises lengths). The token's own digest is computed once: this runs on every API request.
 */
export function bearerTokenChecker(expected: string): (header: string | undefined) => boolean {
  const expectedDigest = digest(expected);
  return (header) => {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    return match !== null && timingSafeEqual(digest(match[1]!), expectedDigest);
  };
}
