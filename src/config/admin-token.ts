import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './config-error.ts';

export interface AdminToken {
  token: string;
  /** Where the token came from, so start-up can tell the person where to find it. */
  source: 'environment' | 'file';
  /** The file holding it, when it came from one. */
  path: string | null;
  /** True when this call generated it. */
  generated: boolean;
}

/**
 * 32 random characters hold at least 128 bits (hex: 4 bits each, base64: 6), beyond any
 * online guessing; the generated token has 47. A shorter token is refused, an empty one above all
 * (it would let anyone in with an empty secret).
 */
export const MIN_ADMIN_TOKEN_LENGTH = 32;

/** `hof_` + 32 random bytes: unguessable, and easy to spot if it leaks into a paste. */
function generateToken(): string {
  return `hof_${randomBytes(32).toString('base64url')}`;
}

/**
 * HANDOFF_ADMIN_TOKEN when set; otherwise the token stored in `<dataDir>/admin-token`, generated
 * (mode 600) on first use so the CLI and the server agree without any setup.
 */
export function resolveAdminToken(env: NodeJS.ProcessEnv, dataDir: string): AdminToken {
  const resolved = findAdminToken(env, dataDir);
  if (resolved.token.length < MIN_ADMIN_TOKEN_LENGTH) {
    const where =
      resolved.source === 'environment' ? 'HANDOFF_ADMIN_TOKEN' : `The admin token file ${resolved.path ?? ''}`;
    const what = resolved.token === '' ? 'is empty' : `holds only ${resolved.token.length} characters`;
    throw new ConfigError(
      `${where} ${what}; the admin token must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (128 bits of randomness) so it cannot be guessed. ` +
        `Generate one with: openssl rand -base64 32${resolved.source === 'file' ? ' (or delete the file and Handoff generates one)' : ''}`,
    );
  }
  return resolved;
}

function findAdminToken(env: NodeJS.ProcessEnv, dataDir: string): AdminToken {
  // A variable set to blanks counts as set (and too short), not as absent: it was meant to be the token.
  const fromEnv = env.HANDOFF_ADMIN_TOKEN?.trim();
  if (fromEnv !== undefined && env.HANDOFF_ADMIN_TOKEN !== '')
    return { token: fromEnv, source: 'environment', path: null, generated: false };
  const path = join(dataDir, 'admin-token');
  if (existsSync(path)) return { token: readFileSync(path, 'utf8').trim(), source: 'file', path, generated: false };
  mkdirSync(dataDir, { recursive: true });
  const token = generateToken();
  try {
    writeFileSync(path, `${token}\n`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return { token: readFileSync(path, 'utf8').trim(), source: 'file', path, generated: false };
    throw error;
  }
  chmodSync(path, 0o600);
  return { token, source: 'file', path, generated: true };
}
