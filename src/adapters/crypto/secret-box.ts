import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** A sealed value could not be opened: wrong key, or the stored text was altered. */
export class SecretBoxError extends Error {
  override readonly name = 'SecretBoxError';
}

const VERSION = 'v1';

/**
 * Encrypts secrets stored in the database (AES-256-GCM, a fresh 96-bit nonce each time). The
 * `context` (table and column) is authenticated with the value, so a sealed secret copied into
 * another column does not open. Sealed text: `v1.<nonce>.<tag>.<ciphertext>`, base64url parts;
 * the version names the key, so a later key rotation can tell old values from new.
 */
export class SecretBox {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new SecretBoxError('the encryption key must be 32 bytes');
  }

  seal(plaintext: string, context: string): string {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(Buffer.from(context));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return [VERSION, nonce, cipher.getAuthTag(), ciphertext]
      .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
      .join('.');
  }

  open(sealed: string, context: string): string {
    const [version, nonce, tag, ciphertext] = sealed.split('.');
    if (version !== VERSION || !nonce || !tag || ciphertext === undefined)
      throw new SecretBoxError('not a sealed secret');
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(nonce, 'base64url'));
      decipher.setAAD(Buffer.from(context));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
    } catch {
      throw new SecretBoxError(
        'the sealed secret does not open with this key (a different HANDOFF_SECRET_KEY, or altered data)',
      );
    }
  }
}
