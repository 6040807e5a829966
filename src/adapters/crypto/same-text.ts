import { hash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of a received text (a secret word, a token, a password) with the one
 * expected. Both are hashed first, which gives timingSafeEqual equal-length inputs: neither the
 * expected value nor its length leaks by timing.
 */
export function sameText(received: string, expected: string): boolean {
  return timingSafeEqual(digest(received), digest(expected));
}

/** The same comparison against one fixed text, whose digest is made once (for checks on every request). */
export function sameTextAs(expected: string): (received: string) => boolean {
  const expectedDigest = digest(expected);
  return (received) => timingSafeEqual(digest(received), expectedDigest);
}

function digest(text: string): Buffer {
  return hash('sha256', text, 'buffer');
}
