/**
 * A CSV over the console's upload limit is refused before any route reads it: the creator is sent
 * back to the form's page with a sentence saying what to do, not the API's JSON answer, and
 * nothing of the file is stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleCookie } from '../support/console-session.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';

describe('a console upload over the limit', () => {
  let handoff: TestHandoff;
  let cookie: string;
  beforeAll(async () => {
    handoff = await startTestHandoff();
    cookie = await consoleCookie(handoff);
  });
  afterAll(() => handoff.close());

  it('sends the creator back to the Import page with what to do, and stores nothing', async () => {
    const rows = Array.from(
      { length: 20_000 },
      (_, index) => `buyer${index}@example.com,Buyer ${index},product-12,paid`,
    );
    const file = `email,name,item,status\n${rows.join('\n')}\n`;
    const boundary = 'handoff-test-boundary';
    const payload =
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="members.csv"\r\n` +
      `Content-Type: text/csv\r\n\r\n${file}\r\n--${boundary}--\r\n`;

    const upload = await handoff.server.inject({
      method: 'POST',
      url: '/import/csv',
      headers: { cookie, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload,
    });

    expect(upload.statusCode).toBe(303);
    expect(upload.headers.location).toBe('/import');
    const flash = String(upload.headers['set-cookie']).split(';')[0]!;
    const page = await handoff.server.inject({
      method: 'GET',
      url: '/import',
      headers: { cookie: `${cookie}; ${flash}` },
    });
    expect(page.body).toContain('That file is larger than the console takes (512 KB)');
    expect(page.body).toContain('npx handoff thrivecart import --csv');
    const imports = await handoff.runtime.ctx.pool.query(`select 1 from thrivecart_imports`);
    expect(imports.rowCount).toBe(0);
  });
});
