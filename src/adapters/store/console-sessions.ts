import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from './database.ts';

export interface ConsoleSession {
  actor: string;
  csrfToken: string;
}

/** Idle sessions end after 8 hours, any session after 7 days. */
const IDLE_MS = 8 * 3_600_000;
const ABSOLUTE_MS = 7 * 86_400_000;

function hashOf(sessionId: string): string {
  return createHash('sha256').update(sessionId).digest('hex');
}

/** Starts a session and returns its id (for the cookie) and its CSRF token. */
export async function createConsoleSession(
  db: Queryable,
  actor: string,
  now: number,
): Promise<{ sessionId: string; csrfToken: string }> {
  const sessionId = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  await db.query(
    `insert into console_sessions (id_hash, csrf_token, actor, created_at, last_seen_at) values ($1, $2, $3, to_timestamp($4 / 1000.0), to_timestamp($4 / 1000.0))`,
    [hashOf(sessionId), csrfToken, actor, now],
  );
  return { sessionId, csrfToken };
}

/** The live session for a cookie value, refreshing its idle clock; null when unknown or expired. */
export async function findConsoleSession(
  db: Queryable,
  sessionId: string,
  now: number,
): Promise<ConsoleSession | null> {
  const result = await db.query<{ actor: string; csrf_token: string }>(
    `update console_sessions set last_seen_at = to_timestamp($2 / 1000.0)
      where id_hash = $1 and last_seen_at > to_timestamp(($2::float8 - $3::float8) / 1000.0) and created_at > to_timestamp(($2::float8 - $4::float8) / 1000.0)
      returning actor, csrf_token`,
    [hashOf(sessionId), now, IDLE_MS, ABSOLUTE_MS],
  );
  const row = result.rows[0];
  return row ? { actor: row.actor, csrfToken: row.csrf_token } : null;
}

export async function deleteConsoleSession(db: Queryable, sessionId: string, now: number): Promise<void> {
  await db.query(
    `delete from console_sessions where id_hash = $1 or created_at < to_timestamp(($2::float8 - $3::float8) / 1000.0)`,
    [hashOf(sessionId), now, ABSOLUTE_MS],
  );
}
