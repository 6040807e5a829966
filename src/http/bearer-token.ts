import { createHash, timingSafeEqual } from 'node:crypto';

/** Constant-time check of an `Authorization: Bearer <token>` header (hashing equalises lengths). */
export function bearerTokenMatches(header: string | undefined, expected: string): boolean {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) return false;
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(match[1]!), digest(expected));
}
