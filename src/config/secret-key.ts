import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.ts';

/**
 * HANDOFF_SECRET_KEY (32 bytes, base64), or null when it is not set. Encrypted configuration
 * values take their key from here only: a key generated into the data folder would sit next to
 * the data it is meant to protect.
 */
export function secretKeyFromEnvironment(env: NodeJS.ProcessEnv): Buffer | null {
  const text = env.HANDOFF_SECRET_KEY?.trim();
  if (!text) return null;
  const key = Buffer.from(text, 'base64');
  if (key.length !== 32)
    throw new ConfigError('HANDOFF_SECRET_KEY must be 32 random bytes in base64 (e.g. openssl rand -base64 32)');
  return key;
}

/** Where the generated key of a data folder is kept. */
export function dataFolderKeyPath(dataDir: string): string {
  return join(dataDir, 'secret-key');
}

/**
 * The key that encrypts secrets stored in the database: HANDOFF_SECRET_KEY (32 bytes, base64),
 * or else `<dataDir>/secret-key`, generated (mode 600) on first use. Processes on several hosts
 * sharing one database must share HANDOFF_SECRET_KEY.
 */
export function resolveSecretKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  const fromEnv = secretKeyFromEnvironment(env);
  if (fromEnv) return fromEnv;
  const path = dataFolderKeyPath(dataDir);
  if (!existsSync(path)) {
    mkdirSync(dataDir, { recursive: true });
    try {
      writeFileSync(path, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      // Another process created it first: use theirs.
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'base64');
}
