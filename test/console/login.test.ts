import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { testConfig } from '../support/test-config.ts';

const PASSWORD = 'a long console password';

describe('console login with the configured password', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    // Behind a trusted proxy (inject's requests come from 127.0.0.1), so X-Forwarded-Proto counts.
    handoff = await startTestHandoff({
      config: testConfig(`console: { password: "${PASSWORD}" }`),
      http: { trustedProxies: ['127.0.0.1'] },
    });
  });
  afterAll(() => handoff.close());

  const login = (secret: string, headers: Record<string, string> = {}) =>
    handoff.server.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      payload: `secret=${encodeURIComponent(secret)}&name=Amy&next=%2Fcontacts`,
    });

  it('lets the password in, with an HttpOnly SameSite cookie that is Secure behind a trusted https proxy', async () => {
    const plain = await login(PASSWORD);
    expect(plain.statusCode).toBe(302);
    expect(plain.headers.location).toBe('/contacts');
    expect(String(plain.headers['set-cookie'])).toMatch(/^handoff_session=[^;]+; Path=\/; HttpOnly; SameSite=Lax$/);
    const secure = await login(PASSWORD, { 'x-forwarded-proto': 'https' });
    expect(String(secure.headers['set-cookie'])).toMatch(/; Secure/);
  });

  it('refuses anything else and does not follow a next= link off the site', async () => {
    const refused = await login('not it');
    expect(refused.headers.location).toMatch(/^\/login\?failed=1/);
    expect(refused.headers['set-cookie']).toBeUndefined();
    const offsite = await handoff.server.inject({
      method: 'POST',
      url: '/login',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: `secret=${encodeURIComponent(PASSWORD)}&next=%2F%2Fevil.example`,
    });
    expect(offsite.headers.location).toBe('/');
  });
});
