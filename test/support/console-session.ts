/**
 * A console session for tests that drive the console with `inject` (no browser): the cookie the
 * login form sets. Browser tests sign in through the form itself with `signInToConsole` (chromium.ts).
 */
import { ADMIN_TOKEN, type TestHandoff } from './handoff.ts';

/** Signs in as `name`, the name the console records beside what this session changes. */
export async function consoleCookie(handoff: TestHandoff, name = 'Amy'): Promise<string> {
  const login = await handoff.server.inject({ method: 'POST', url: '/login', payload: { secret: ADMIN_TOKEN, name } });
  const cookie = login.headers['set-cookie'];
  if (cookie === undefined) throw new Error(`the console login answered ${login.statusCode} without a session cookie`);
  return String(cookie).split(';')[0]!;
}
