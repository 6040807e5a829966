import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface AdminToken {
  token: string;
  /** Where the token came from, so start-up can tell the person where to find it. */
  source: 'environment' | 'file';
  /** The file holding it, when it came from one. */
  path: string | null;
  /** True when this call generated it. */
  generated: boolean;
}

/** `hof_` + 32 random bytes: unguessable, and easy to spot if it leaks into a paste. */
function generateToken(): string {
  return `hof_${randomBytes(32).toString('base64url')}`;
}

/**
 * HANDOFF_ADMIN_TOKEN when set; otherwise the token stored in `<dataDir>/admin-token`, generated
 * (mode 600) on first use so the CLI and the server agree without any setup.
 */
export function resolveAdminToken(env: NodeJS.ProcessEnv, dataDir: string): AdminToken {
  const fromEnv = env.HANDOFF_ADMIN_TOKEN?.trim();
  if (fromEnv) return { token: fromEnv, source: 'environment', path: null, generated: false };
  const path = join(dataDir, 'admin-token');
  if (existsSync(path)) return { token: readFileSync(path, 'utf8').trim(), source: 'file', path, generated: false };
  mkdirSync(dataDir, { recursive: true });
  const token = generateToken();
  try {
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return { token: readFileSync(path, 'utf8').trim(), source: 'file', path, generated: false };
    throw error;
  }
  chmodSync(path, 0o600);
  return { token, source: 'file', path, generated: true };
}
