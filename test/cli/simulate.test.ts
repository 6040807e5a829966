/**
 * `handoff simulate` never reaches real systems by surprise, and never invents a name (issue 13):
 * against a running Handoff connected to a CRM, an SMTP server and a webhook endpoint, a default
 * simulation is applied (the API shows it) but none of them hears of it; `--live` says what it
 * will reach, then reaches all three. A simulation stays out of real systems even after ThriveCart
 * sends a real purchase for the same person, and a real person cannot be simulated on.
 */
import { writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from 'pg';
import { startActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { runCli } from '../support/run-cli.ts';
import { TEST_ACCOUNT, TEST_SECRET, testConfigYaml } from '../support/test-config.ts';
import { startSmtpReceiver, type SmtpReceiver } from '../dunning/smtp-receiver.ts';
import {
  createHandoffHome,
  freePort,
  sleep,
  SPAWNED_ADMIN_TOKEN,
  spawnHandoff,
  type HandoffHome,
  type SpawnedHandoff,
} from '../reliability/support/spawned-handoff.ts';
import { startReceiver, type Receiver } from '../webhooks/receiver.ts';
import { buildThriveCartFields, encodeForm } from '../../src/adapters/sources/thrivecart/build-body.ts';

const AC_TOKEN = 'ac-simulate-token-0123456789';
const WEBHOOK_SECRET = `whsec_${Buffer.alloc(32, 9).toString('base64')}`;
const WAIT_MS = 60_000;

describe('handoff simulate', { timeout: 240_000 }, () => {
  const { DATABASE_URL: _url, HANDOFF_CONFIG: _config, ...baseEnv } = process.env;
  let home: HandoffHome;
  /** A database of the run's server rather than an embedded one of its own: this file is about simulate, not storage. */
  let database: TestDatabase;
  let handoff: SpawnedHandoff;
  let crm: FakeCrmServer;
  let smtp: SmtpReceiver;
  let site: Receiver;

  beforeAll(async () => {
    crm = await startActiveCampaignFake(AC_TOKEN);
    smtp = await startSmtpReceiver();
    site = await startReceiver();
    home = await createHandoffHome('handoff-simulate-');
    writeFileSync(
      home.configPath,
      testConfigYaml(
        '${THRIVECART_SECRET}',
        `crm:
  - { provider: activecampaign, baseUrl: "${crm.url}", apiKey: "${AC_TOKEN}" }
mail:
  smtp: "${smtp.url}"
  from: "Focus School <hello@focus.example>"
webhooks:
  endpoints:
    - { name: members-site, url: "${site.url}", secret: "${WEBHOOK_SECRET}" }
`,
      ),
    );
    database = await createTestDatabase();
    handoff = await spawnHandoff({
      home,
      port: await freePort(),
      env: { DATABASE_URL: database.connectionString },
    });
  });

  afterAll(async () => {
    await handoff.stop();
    await database.drop();
    await home.remove();
    await crm.close();
    await smtp.close();
    await site.close();
  });

  const simulate = (args: string[]) =>
    runCli(['simulate', ...args, '--url', `${handoff.url}/webhooks/thrivecart`], {
      ...baseEnv,
      HANDOFF_CONFIG: home.configPath,
      THRIVECART_SECRET: TEST_SECRET,
      LOG_LEVEL: 'warn',
    });
  /** A membership bought, then its renewal failing: a CRM sync, a webhook message and a dunning e-mail, when live. */
  const purchaseThenFailure = async (email: string, live: string[]) => {
    const purchase = await simulate(['purchase', '--email', email, '--item', 'product-40', '--recurring', ...live]);
    const failure = await simulate(['failed', '--email', email, '--item', 'product-40', ...live]);
    return [purchase, failure];
  };
  const contact = async (email: string) =>
    fetch(`${handoff.url}/api/contacts/${email}`, { headers: { authorization: `Bearer ${SPAWNED_ADMIN_TOKEN}` } });
  const mentions = (text: unknown, email: string) => JSON.stringify(text).includes(email);

  it('by default applies the delivery inside Handoff only: no CRM call, no e-mail, no webhook; --live reaches all three', async () => {
    const quiet = await purchaseThenFailure('quiet@example.com', []);
    for (const result of quiet) {
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^200 .*"status":"applied"/);
      expect(result.stderr).toContain(
        'Simulated inside Handoff only: the console shows what this delivery does, and these are left alone:\n' +
          '  - the CRM "activecampaign" (activecampaign)\n' +
          '  - your SMTP server (dunning e-mails to the address you give)\n' +
          `  - the webhook endpoint "members-site" (${new URL(site.url).origin})\n` +
          'Run again with --live to reach them.',
      );
    }
    // The ledger has it: the console shows what would happen.
    expect((await contact('quiet@example.com')).status).toBe(200);
    // Nothing downstream was even queued for that person: no CRM or e-mail job, no webhook message.
    const client = new Client({ connectionString: database.connectionString });
    await client.connect();
    const queued = await client.query<{ kind: string }>(
      `select kind from jobs where kind <> 'contact.recompute'
          and (key = (select id::text from contacts where email = 'quiet@example.com')
               or kind = 'dunning.email')
        union all select 'webhook message' from webhook_messages`,
    );
    expect(queued.rows).toEqual([]);

    const live = await purchaseThenFailure('live@example.com', ['--live']);
    for (const result of live) {
      expect(result.code).toBe(0);
      expect(result.stderr).toContain('--live: this simulated delivery will reach:\n  - the CRM "activecampaign"');
    }
    const deadline = Date.now() + WAIT_MS;
    while (!(
      crm.state.findContactByEmail('live@example.com') &&
      smtp.received.some((email) => email.to.includes('live@example.com')) &&
      site.received.some((message) => mentions(message.body, 'live@example.com'))
    )) {
      if (Date.now() > deadline)
        throw new Error(
          `--live did not reach everything: crm ${crm.requests.length} calls, ${smtp.received.length} e-mails, ${site.received.length} webhooks`,
        );
      await sleep(100);
    }
    // The quiet person never reached any of them, although the live one (sent after) did.
    expect(crm.state.findContactByEmail('quiet@example.com')).toBeUndefined();
    expect(smtp.received.filter((email) => email.to.includes('quiet@example.com'))).toEqual([]);
    expect(site.received.filter((message) => mentions(message.body, 'quiet@example.com'))).toEqual([]);
    const stillQueued = await client.query(
      `select kind from jobs where key = (select id::text from contacts where email = 'quiet@example.com') and kind <> 'contact.recompute'`,
    );
    expect(stillQueued.rows).toEqual([]);
    await client.end();
  });

  it('sends no made-up name: the names are empty unless given, and a known person keeps theirs', async () => {
    const before = site.received.length;
    const result = await simulate(['purchase', '--email', 'named@example.com', '--item', 'product-12', '--live']);
    expect(result.code).toBe(0);
    const deadline = Date.now() + WAIT_MS;
    while (!site.received.slice(before).some((message) => mentions(message.body, 'named@example.com'))) {
      if (Date.now() > deadline) throw new Error('no webhook for named@example.com');
      await sleep(100);
    }
    const body = (await (await contact('named@example.com')).json()) as { name: string | null };
    expect(body.name).toBeNull();

    // A person already known keeps their name: a later simulation without names does not blank or replace it.
    const named = await simulate([
      'purchase',
      '--email',
      'ada@example.com',
      '--item',
      'product-12',
      '--first-name',
      'Ada',
      '--last-name',
      'Lovelace',
    ]);
    expect(named.code).toBe(0);
    expect(named.stdout).toMatch(/^200 .*"status":"applied"/);
    const again = await simulate(['purchase', '--email', 'ada@example.com', '--item', 'bump-12', '--order', '7301']);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^200 .*"status":"applied"/);
    const ada = (await (await contact('ada@example.com')).json()) as { name: string | null };
    expect(ada.name).toBe('Ada Lovelace');
  });

  it('a real purchase for a simulated person reaches the CRM, dunning and webhooks with the real purchase only', async () => {
    // A membership simulated (bought, then its payment failing: a dunning case) for someone who
    // later really buys the course.
    for (const result of await purchaseThenFailure('later@example.com', [])) expect(result.stdout).toMatch(/"applied"/);
    const real = buildThriveCartFields('purchase', {
      account: TEST_ACCOUNT,
      secret: TEST_SECRET,
      email: 'later@example.com',
      item: 'product-12',
      orderId: '9001',
      firstName: 'Lena',
      lastName: 'Later',
    });
    const response = await fetch(`${handoff.url}/webhooks/thrivecart`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm(real),
    });
    expect(`${response.status} ${await response.text()}`).toMatch(/^200 .*"status":"applied"/);

    const deadline = Date.now() + WAIT_MS;
    const crmTags = () => {
      const found = crm.state.findContactByEmail('later@example.com');
      return found ? crm.state.tagNamesOf(found.id).sort() : [];
    };
    while (!(crmTags().length >= 2 && site.received.some((message) => mentions(message.body, 'later@example.com')))) {
      if (Date.now() > deadline)
        throw new Error(`the real purchase did not reach the CRM and the site: ${crmTags().join(', ')}`);
      await sleep(100);
    }
    // The CRM holds the course's tags, not the simulated membership's access nor its failed payment.
    expect(crmTags()).toEqual(['Bought Focus', 'Focus - Access']);

    const client = new Client({ connectionString: database.connectionString });
    await client.connect();
    const contactId = `(select id from contacts where email = 'later@example.com')`;
    // No dunning case for the simulated failure (so no reminder), and the site heard of the course only.
    const dunning = await client.query(`select id from dunning_cases where contact_id = ${contactId}`);
    expect(dunning.rows).toEqual([]);
    const announced = await client.query<{ body: string }>(
      `select body from webhook_messages where contact_id = ${contactId} and type like 'access.%'`,
    );
    expect(
      announced.rows.map((row) => (JSON.parse(row.body) as { data: { offering: { id: string } } }).data.offering.id),
    ).toEqual(['focus-course']);
    await client.end();
    expect(smtp.received.filter((email) => email.to.includes('later@example.com'))).toEqual([]);

    // The person is real now: a further simulation is refused, and says why.
    const refused = await simulate([
      'purchase',
      '--email',
      'later@example.com',
      '--item',
      'product-41',
      '--order',
      '9002',
    ]);
    expect(refused.stdout).toContain('"status":"ignored"');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('Nothing was simulated');
    expect(refused.stdout).toContain(
      'later@example.com is a real contact: a simulation would mix with their real history',
    );
    const after = (await (await contact('later@example.com')).json()) as {
      access: { offering: string; granted: boolean }[];
    };
    expect(after.access.filter((entry) => entry.granted).map((entry) => entry.offering)).toEqual(['focus-course']);
  });
});
