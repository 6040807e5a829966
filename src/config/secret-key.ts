import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The key that encrypts secrets stored in the database: HANDOFF_SECRET_KEY (32 bytes, base64),
 * or else `<dataDir>/secret-key`, generated (mode 600) on first use. Processes on several hosts
 * sharing one database must share HANDOFF_SECRET_KEY.
 */
export function resolveSecretKey(env: NodeJS.ProcessEnv, dataDir: string): Buffer {
  const fromEnv = env.HANDOFF_SECRET_KEY?.trim();
  if (fromEnv) {
    const key = Buffer.from(fromEnv, 'base64');
    if (key.length !== 32) throw new Error('HANDOFF_SECRET_KEY must be 32 random bytes in base64 (e.g. openssl rand -base64 32)');
    return key;
  }
  const path = join(dataDir, 'secret-key');
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
