import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';

/** The MAC is HMAC-SHA256 cut to 128 bits: enough against forgery, short enough for a link in an e-mail. */
const MAC_BYTES = 16;

/**
 * Signs and checks short tokens that carry a few text fields (HMAC-SHA256). The signing key is
 * derived from the secret key with HKDF under `purpose`, so the key that encrypts stored secrets
 * never signs anything itself and tokens of one purpose never pass as another's. The key is
 * resolved on first use (like SecretBox users: resolving may create `<dataDir>/secret-key`).
 *
 * Token: `<fields, base64url>.<mac, base64url>`. The fields are readable by whoever holds the
 * token (they are ids, never personal data); only the MAC is secret-dependent.
 */
export class TokenSigner {
  private key: Buffer | null = null;

  constructor(
    private readonly secretKey: () => Buffer,
    private readonly purpose: string,
  ) {}

  sign(fields: readonly string[]): string {
    if (fields.some((field) => field.includes('\n'))) throw new Error('token fields may not contain a line break');
    const body = Buffer.from(fields.join('\n'), 'utf8').toString('base64url');
    return `${body}.${this.mac(body).toString('base64url')}`;
  }

  /** The fields of a token this signer made, or null for anything else (altered, truncated, another key or purpose). */
  verify(token: string): string[] | null {
    const [body, mac, extra] = token.split('.');
    if (!body || !mac || extra !== undefined) return null;
    const given = Buffer.from(mac, 'base64url');
    const expected = this.mac(body);
    // Constant time over equal lengths; a wrong length says nothing about the key.
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return Buffer.from(body, 'base64url').toString('utf8').split('\n');
  }

  private mac(body: string): Buffer {
    this.key ??= Buffer.from(hkdfSync('sha256', this.secretKey(), Buffer.alloc(0), this.purpose, 32));
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES);
  }
}
