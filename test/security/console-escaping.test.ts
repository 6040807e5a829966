import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleCookie } from '../support/console-session.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';

const SCRIPT = '<script>alert(1)</script>';
const ATTRIBUTE = '"><img src=x onerror=alert(2)>';

describe('data from deliveries shown in the console', () => {
  let handoff: TestHandoff;
  let cookie = '';
  beforeAll(async () => {
    handoff = await startTestHandoff();
    cookie = await consoleCookie(handoff, 'amy');
    await handoff.send('purchase', {
      email: 'mallory@example.com',
      item: 'product-12',
      orderId: '9301',
      firstName: SCRIPT,
      lastName: ATTRIBUTE,
    });
  });
  afterAll(() => handoff.close());

  it.each(['/contacts?q=mallory', '/contacts/mallory%40example.com', '/deliveries', '/deliveries/1', '/'])(
    'never becomes markup on %s',
    async (path) => {
      const page = await handoff.server.inject({ method: 'GET', url: path, headers: { cookie } });
      expect(page.statusCode).toBe(200);
      expect(page.body).not.toContain(SCRIPT);
      expect(page.body).not.toContain('<img src=x');
      if (path.startsWith('/contacts')) expect(page.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    },
  );
});
