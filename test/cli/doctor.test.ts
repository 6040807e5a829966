/**
 * `handoff doctor` against real fakes: every configured part is checked by a round trip whose
 * answer is validated, so a server that answers `{}` to everything passes nothing; each failure
 * says what to do, and the exit code is 1 when anything fails.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { runCli } from '../support/run-cli.ts';
import { TEST_ACCOUNT, TEST_SECRET, testConfig, testConfigYaml } from '../support/test-config.ts';
import { startThriveCartApiFake, type ThriveCartApiFake } from '../support/thrivecart-api-fake.ts';
import { startReceiver, type Receiver } from '../webhooks/receiver.ts';

const AC_TOKEN = 'ac-doctor-token-0123456789';
const TC_API_KEY = 'tc-doctor-api-key-0123456789';
const SMTP_USER = 'postmaster';
const SMTP_PASSWORD = 'smtp-password-9876';
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 7).toString('base64')}`;

/** An HTTP server answering `{}` with 200 to every request: the most agreeable wrong server. */
async function startAgreeableServer(): Promise<{ url: string; server: Server }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/**
 * A WordPress site as far as the doctor looks: the REST index at /wp-json/ lists `namespaces` and
 * `routes` (https://developer.wordpress.org/rest-api/using-the-rest-api/discovery/). Anything else is 404,
 * as WordPress answers an unknown path.
 */
async function startWordPressSite(): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    if (request.url?.startsWith('/wp-json/')) {
      response.writeHead(200, { 'content-type': 'application/json; charset=UTF-8' });
      response.end(
        JSON.stringify({
          name: 'Focus School',
          url: 'https://focus.example',
          namespaces: ['oembed/1.0', 'wp/v2', 'accessally/v1'],
          routes: { '/': {}, '/wp/v2': {} },
        }),
      );
      return;
    }
    response.writeHead(404, { 'content-type': 'text/html' });
    response.end('<html><body>Page not found</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** A real SMTP server that offers AUTH (over plain TCP, as a local relay would) and checks the password. */
async function startSmtpWithLogin(): Promise<{ port: number; close(): Promise<void> }> {
  const server = new SMTPServer({
    authMethods: ['PLAIN', 'LOGIN'],
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onAuth(auth, _session, callback) {
      if (auth.username === SMTP_USER && auth.password === SMTP_PASSWORD) return callback(null, { user: SMTP_USER });
      callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.server.address() as AddressInfo).port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('handoff doctor', { timeout: 90_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), 'handoff-doctor-'));
  const { DATABASE_URL: _inherited, ...baseEnv } = process.env;
  let handoff: TestHandoff;
  let crm: FakeCrmServer;
  let site: { url: string; server: Server };
  let agreeable: { url: string; server: Server };
  let smtp: { port: number; close(): Promise<void> };
  let members: Receiver;
  let thrivecartApi: ThriveCartApiFake;
  let otherAccountApi: ThriveCartApiFake;

  beforeAll(async () => {
    const config = testConfig();
    config.thrivecart.account = `${TEST_ACCOUNT}.thrivecart.com`;
    // doctor runs on the real clock and looks at this week's refusals, so these happen now.
    handoff = await startTestHandoff({ config, clock: new FakeClock(Date.now()) });
    // Two real purchases refused because the configuration holds the full domain.
    await handoff.send('purchase', { email: 'ada@example.com', orderId: '8101' });
    await handoff.send('purchase', { email: 'bea@example.com', orderId: '8102' });
    crm = await startActiveCampaignFake(AC_TOKEN);
    site = await startWordPressSite();
    agreeable = await startAgreeableServer();
    smtp = await startSmtpWithLogin();
    members = await startReceiver();
    thrivecartApi = await startThriveCartApiFake({ apiKey: TC_API_KEY, account: TEST_ACCOUNT });
    otherAccountApi = await startThriveCartApiFake({ apiKey: TC_API_KEY, account: 'otherschool' });
  });

  afterAll(async () => {
    await handoff.close();
    await crm.close();
    await new Promise((resolve) => site.server.close(resolve));
    await new Promise((resolve) => agreeable.server.close(resolve));
    await smtp.close();
    await members.close();
    await thrivecartApi.close();
    await otherAccountApi.close();
    rmSync(home, { recursive: true, force: true });
  });

  async function doctor(name: string, thrivecartYaml: string, extraYaml: string, secret = TEST_SECRET) {
    const path = join(home, `${name}.yaml`);
    writeFileSync(
      path,
      testConfigYaml('${THRIVECART_SECRET}', extraYaml).replace(`account: ${TEST_ACCOUNT}`, thrivecartYaml),
    );
    return runCli(['doctor', '--config', path], {
      ...baseEnv,
      DATABASE_URL: handoff.database.connectionString,
      THRIVECART_SECRET: secret,
      LOG_LEVEL: 'warn',
    });
  }

  it('passes every part that answers as it should, and exits 0', async () => {
    const result = await doctor(
      'good',
      `account: ${TEST_ACCOUNT}\n  apiKey: "${TC_API_KEY}"\n  apiUrl: "${thrivecartApi.url}"`,
      `crm:
  - { provider: activecampaign, baseUrl: "${crm.url}", apiKey: "${AC_TOKEN}" }
accessally:
  webhookUrl: "${site.url}/?aal_updateuser=1"
mail:
  smtp: "smtp://${SMTP_USER}:${SMTP_PASSWORD}@127.0.0.1:${smtp.port}"
  from: "Focus School <hello@focus.example>"
webhooks:
  endpoints:
    - { name: members-site, url: "${members.url}", secret: "${WEBHOOK_SECRET}" }
`,
    );
    expect(result.code).toBe(0);
    // The calls refused earlier named this account: the configuration has been put right since.
    expect(result.stdout).toMatch(
      /^WARN ThriveCart: 2 calls were refused this week \(account mismatch\) before the configuration was put right\.\n {5}Fix: Those calls were not recorded/m,
    );
    expect(result.stdout).toMatch(
      /^OK {3}CRM activecampaign: activecampaign at http:\/\/127\.0\.0\.1:\d+ answered with the configured key/m,
    );
    expect(result.stdout).toMatch(
      /^OK {3}SMTP: smtp:\/\/127\.0\.0\.1:\d+ accepted the connection and the login \(no e-mail sent\)$/m,
    );
    expect(result.stdout).toMatch(
      /^OK {3}AccessAlly: http:\/\/127\.0\.0\.1:\d+ \(accessally\.webhookUrl\) answers like a WordPress site$/m,
    );
    expect(result.stdout).toMatch(
      /^OK {3}Webhook members-site: http:\/\/127\.0\.0\.1:\d+\/hooks answers \(HTTP 204 to HEAD\); no message sent yet$/m,
    );
    expect(result.stdout).toContain('OK   ThriveCart: the secret word is set (not the demo value)');
    expect(result.stdout).toMatch(
      /^OK {3}ThriveCart API: the API key works and belongs to the account "focusschool"$/m,
    );
    expect(thrivecartApi.requests).toContain('GET /ping');
    expect(members.received).toEqual([expect.objectContaining({ body: '' })]); // the HEAD, and no message
    expect(result.stdout).not.toContain(SMTP_PASSWORD);
    expect(result.stdout).not.toContain(TEST_SECRET);
  });

  it('fails a server that answers {} to everything, a wrong SMTP password, the demo secret and refused deliveries, each with what to do, and exits 1', async () => {
    const result = await doctor(
      'bad',
      `account: otherschool\n  apiKey: "${TC_API_KEY}"\n  apiUrl: "${agreeable.url}"`,
      `crm:
  - { provider: activecampaign, baseUrl: "${agreeable.url}", apiKey: "${AC_TOKEN}" }
accessally:
  webhookUrl: "${agreeable.url}/?aal_updateuser=1"
mail:
  smtp: "smtp://${SMTP_USER}:not-the-password@127.0.0.1:${smtp.port}"
  from: "Focus School <hello@focus.example>"
`,
      'demo-secret-change-me',
    );
    expect(result.code).toBe(1);
    const lines = result.stdout;
    expect(lines).toMatch(/^FAIL ThriveCart: the secret word is the demo value.*\n {5}Fix: Set THRIVECART_SECRET/m);
    expect(lines).toMatch(
      /^FAIL ThriveCart: refused this week: 2 calls had the right secret word but named the account "focusschool", and the configuration says "otherschool"\.\n {5}Fix: Set thrivecart\.account to "focusschool"/m,
    );
    expect(lines).toMatch(/^FAIL CRM activecampaign: .*\n {5}Fix: Check the activecampaign entry/m);
    expect(lines).not.toMatch(/^OK {3}CRM activecampaign/m);
    expect(lines).toMatch(
      /^FAIL AccessAlly: the site of accessally\.webhookUrl does not answer like WordPress: .*without the namespaces and routes/m,
    );
    expect(lines).toMatch(
      /^FAIL SMTP: smtp:\/\/127\.0\.0\.1:\d+ refused the login: .*\n {5}Fix: Check the user name and password/m,
    );
    expect(lines).toMatch(
      /^FAIL ThriveCart API: http:\/\/127\.0\.0\.1:\d+ answered without naming a ThriveCart account.*\n {5}Fix: Set thrivecart\.apiUrl/m,
    );
    expect(lines).toMatch(/\d+ check\(s\) failed; each says what to do\.$/m);
    expect(lines).not.toContain('not-the-password');
  });

  // One doctor process for three failures (each `handoff` process costs seconds of CPU).
  it('fails an AccessAlly URL that names no AccessAlly command, an unreachable webhook endpoint and a refused ThriveCart API key', async () => {
    const closed = await startReceiver();
    await closed.close();
    const result = await doctor(
      'urls',
      `account: ${TEST_ACCOUNT}\n  apiKey: "not-the-key"\n  apiUrl: "${thrivecartApi.url}"`,
      `crm:
  - { provider: activecampaign, baseUrl: "${crm.url}", apiKey: "${AC_TOKEN}" }
accessally:
  webhookUrl: "${site.url}/wp-admin/"
webhooks:
  endpoints:
    - { name: gone-site, url: "${closed.url}", secret: "${WEBHOOK_SECRET}" }
`,
    );
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      /^FAIL AccessAlly: accessally\.webhookUrl names no AccessAlly command \(aal_updateuser\)\n {5}Fix: Copy the webhook URL from AccessAlly/m,
    );
    expect(result.stdout).toMatch(
      /^FAIL Webhook gone-site: cannot reach http:\/\/127\.0\.0\.1:\d+\/hooks: .*\n {5}Fix: Check the URL/m,
    );
    expect(result.stdout).toMatch(/^WARN SMTP: mail\.smtp is not set/m);
    expect(result.stdout).toMatch(
      /^FAIL ThriveCart API: ThriveCart refused the API key \(ThriveCart answered 401 to GET \/ping: \{"error":"invalid_token"\}\)\n {5}Fix: Create an API key in ThriveCart → Settings → API & webhooks → API tokens/m,
    );
    expect(result.stdout).not.toContain('not-the-key');
  });

  it('fails a ThriveCart API key of another account, with what to do, and exits 1', async () => {
    const otherAccount = await doctor(
      'api-key-other-account',
      `account: ${TEST_ACCOUNT}\n  apiKey: "${TC_API_KEY}"\n  apiUrl: "${otherAccountApi.url}"`,
      '',
    );
    expect(otherAccount.code).toBe(1);
    expect(otherAccount.stdout).toMatch(
      /^FAIL ThriveCart API: the API key belongs to the ThriveCart account "otherschool", not "focusschool" \(thrivecart\.account\)\n {5}Fix: Use an API key of the account "focusschool"/m,
    );
  });
});
