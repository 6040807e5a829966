import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settleSync } from '../crm-sync/crm-sync-harness.ts';
import { consoleCookie } from '../support/console-session.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { testConfig } from '../support/test-config.ts';

describe('CRM sync status in the console', () => {
  let handoff: TestHandoff;
  let cookie = '';
  beforeAll(async () => {
    const config = testConfig();
    config.crm = [{ provider: 'memory', name: 'reference', apiKey: 'memory' }] as typeof config.crm;
    handoff = await startTestHandoff({ config });
    cookie = await consoleCookie(handoff);
  });
  afterAll(() => handoff.close());

  const pageText = async (url: string): Promise<string> =>
    (await handoff.server.inject({ method: 'GET', url, headers: { cookie } })).body;

  it('shows a change as pending until the CRM has it, then in sync; the overview shows the connection', async () => {
    await handoff.send('purchase', { email: 'crm@example.com', item: 'product-12', orderId: '9951' });
    expect(await pageText('/contacts/crm%40example.com')).toMatch(
      /<td[^>]*>reference<\/td><td[^>]*><span class="badge warn">(not pushed yet|pending)<\/span>/,
    );
    // The access tags go in a first turn and the rest in the next, queued a moment behind it.
    await settleSync(handoff);
    expect(await pageText('/contacts/crm%40example.com')).toMatch(
      /<td[^>]*>reference<\/td><td[^>]*><span class="badge ok">in sync<\/span>/,
    );
    expect(await pageText('/')).toMatch(
      /<td[^>]*>reference<\/td><td[^>]*><span class="badge ok">working<\/span><\/td>\s*<td[^>]*>0<\/td>/,
    );
  });

  it('checks every CRM connection from the setup page, as doctor does', async () => {
    const setup = await pageText('/setup');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(setup)![1]!;
    const checked = await handoff.server.inject({
      method: 'POST',
      url: '/setup/doctor',
      headers: { cookie },
      payload: { _csrf: csrf },
    });
    expect(checked.statusCode).toBe(200);
    expect(checked.body).toContain(
      '<tr data-state="ok"><th>CRM round trip: reference</th><td><span class="badge ok">ok</span></td>\n<td>memory answered with the configured key',
    );
  });
});
