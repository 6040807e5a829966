import { SecretBox, SecretBoxError } from '../adapters/crypto/secret-box.ts';
import { ConfigError } from './config-error.ts';
import { secretKeyFromEnvironment } from './secret-key.ts';

/** Marks a configuration value as encrypted: `enc:` + a SecretBox sealed text (`v1.<nonce>.<tag>.<ciphertext>`). */
const ENCRYPTED_VALUE_PREFIX = 'enc:';

/**
 * Authenticated with every configuration value, so a secret sealed for the database (webhook
 * endpoints) does not open as a configuration value, nor the other way round. Deliberately not
 * the key path: moving or reordering entries in the file must not break their values.
 */
const CONFIG_VALUE_CONTEXT = 'handoff.config';

export function isEncryptedValue(value: string): boolean {
  return value.startsWith(ENCRYPTED_VALUE_PREFIX);
}

export function encryptConfigValue(plaintext: string, key: Buffer): string {
  return `${ENCRYPTED_VALUE_PREFIX}${new SecretBox(key).seal(plaintext, CONFIG_VALUE_CONTEXT)}`;
}

/** Why an encrypted value could not be opened, worded to follow its key path; never holds the value or the key. */
export class EncryptedValueError extends Error {
  override readonly name = 'EncryptedValueError';
}

/**
 * Opens the `enc:` values of one configuration file with HANDOFF_SECRET_KEY, which is read at the
 * first encrypted value: a file without any needs no key.
 */
export function configValueDecrypter(env: NodeJS.ProcessEnv): (value: string) => string {
  let box: SecretBox | undefined;
  return (value) => {
    if (box === undefined) {
      let key: Buffer | null;
      try {
        key = secretKeyFromEnvironment(env);
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        throw new EncryptedValueError(`the value is encrypted, but ${error.message}`);
      }
      if (key === null) {
        throw new EncryptedValueError(
          'the value is encrypted, but HANDOFF_SECRET_KEY is not set; set it in the environment Handoff runs in, to the key `handoff encrypt-secret` encrypted the value with',
        );
      }
      box = new SecretBox(key);
    }
    try {
      return box.open(value.slice(ENCRYPTED_VALUE_PREFIX.length), CONFIG_VALUE_CONTEXT);
    } catch (error) {
      if (!(error instanceof SecretBoxError)) throw error;
      throw new EncryptedValueError(
        'the encrypted value does not open with HANDOFF_SECRET_KEY (it was encrypted with another key, or it was altered or cut short); set the key it was encrypted with, or encrypt the secret again with `handoff encrypt-secret`',
      );
    }
  };
}
