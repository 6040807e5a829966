import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enqueueJob } from '../../src/adapters/jobs/enqueue-job.ts';
import { startAccessAllySite, type AccessAllySite, type SiteCrm } from '../support/accessally-site.ts';
import { startActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { FakeCrmState } from '../support/crm-fakes/fake-crm-state.ts';
import { startKitFake } from '../support/crm-fakes/kit.ts';
import { startOntraportFake } from '../support/crm-fakes/ontraport.ts';
import type { TestHandoff } from '../support/handoff.ts';
import {
  AC_TOKEN,
  activeCampaignEntry,
  crmConfig,
  jobsIn,
  KIT_KEY,
  kitEntry,
  settleSync,
  startHandoffWith,
  tagsIn,
} from './crm-sync-harness.ts';

interface ReceivedWebhook {
  contentType: string | undefined;
  query: string;
  fields: Record<string, string>;
  /** The tags the CRM held when AccessAlly was called. */
  crmTagsThen: string[];
}

/** A stand-in for the WordPress site: records each webhook call; answers `statuses` in turn, then 200. */
async function startSite(
  crmTagsNow: (email: string) => string[],
  statuses: number[] = [],
): Promise<{ server: Server; url: string; received: ReceivedWebhook[] }> {
  const received: ReceivedWebhook[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const fields = Object.fromEntries(new URLSearchParams(body));
      const email = Object.values(fields).find((value) => value.includes('@')) ?? '';
      received.push({
        contentType: request.headers['content-type'],
        query: new URL(request.url ?? '/', 'http://site').search,
        fields,
        crmTagsThen: crmTagsNow(email),
      });
      response.writeHead(statuses.shift() ?? 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, received };
}

describe('AccessAlly webhook after the tags reached the CRM', () => {
  let handoff: TestHandoff;
  let fake: FakeCrmServer;
  let site: Server;
  afterEach(async () => {
    await handoff.close();
    await fake.close();
    site.close();
  });

  it("posts ActiveCampaign's contact id and e-mail, form-encoded, once the tags are there", async () => {
    let received: ReceivedWebhook[] = [];
    handoff = await startHandoffWith(async (clock) => {
      fake = await startActiveCampaignFake(AC_TOKEN, { now: () => clock.now() });
      const started = await startSite((email) => tagsIn(fake, email));
      site = started.server;
      received = started.received;
      return crmConfig(
        activeCampaignEntry(fake),
        `accessally:\n  webhookUrl: "${started.url}/?accessally-webhook=aal_updateuser"`,
      );
    });
    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '5101' });
    await settleSync(handoff);

    const remoteId = String(fake.state.findContactByEmail('ada@example.com')!.id);
    expect(received).toEqual([
      {
        contentType: 'application/x-www-form-urlencoded',
        query: '?accessally-webhook=aal_updateuser',
        fields: { 'contact[id]': remoteId, 'contact[email]': 'ada@example.com' },
        crmTagsThen: ['Bought Focus', 'Focus - Access'],
      },
    ]);
  });

  it('uses the configured field names and retries a failing site', async () => {
    let received: ReceivedWebhook[] = [];
    handoff = await startHandoffWith(async (clock) => {
      fake = await startActiveCampaignFake(AC_TOKEN, { now: () => clock.now() });
      const started = await startSite((email) => tagsIn(fake, email), [503]);
      site = started.server;
      received = started.received;
      return crmConfig(
        activeCampaignEntry(fake),
        `accessally:\n  webhookUrl: "${started.url}/hook"\n  contactIdField: cid\n  emailField: mail`,
      );
    });
    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '5102' });
    await settleSync(handoff);

    const remoteId = String(fake.state.findContactByEmail('ada@example.com')!.id);
    expect(received.map((call) => call.fields)).toEqual([
      { cid: remoteId, mail: 'ada@example.com' },
      { cid: remoteId, mail: 'ada@example.com' },
    ]);
    expect(await jobsIn(handoff, 'dead')).toEqual([]);
  });
});

/** A CRM AccessAlly reads from, as these tests start its fake and name it in the config. */
interface CrmUnderTest {
  provider: SiteCrm['provider'];
  start(now: () => number): Promise<FakeCrmServer>;
  entry(fake: FakeCrmServer): string;
}

/**
 * Handoff pushing to `crm`, and the AccessAlly site fake, reading that CRM, behind both of
 * AccessAlly's webhook URLs: the one refreshing a user and the one creating a user at a first access.
 */
async function startWithAccessAllySite(
  crm: CrmUnderTest,
): Promise<{ handoff: TestHandoff; fake: FakeCrmServer; site: AccessAllySite }> {
  let fake: FakeCrmServer | undefined;
  let site: AccessAllySite | undefined;
  const handoff = await startHandoffWith(async (clock) => {
    fake = await crm.start(() => clock.now());
    site = await startAccessAllySite({ provider: crm.provider, state: fake.state });
    return crmConfig(
      crm.entry(fake),
      `accessally:\n  webhookUrl: "${site.url}/?aal_updateuser=handshake"\n  newUserWebhookUrl: "${site.url}/?aal_genpass=handshake"`,
    );
  });
  return { handoff, fake: fake!, site: site! };
}

const ACTIVE_CAMPAIGN: CrmUnderTest = {
  provider: 'activecampaign',
  start: (now) => startActiveCampaignFake(AC_TOKEN, { now }),
  entry: (fake) => activeCampaignEntry(fake),
};

describe("AccessAlly's create-user call (aal_genpass) at a person's first access", () => {
  let handoff: TestHandoff;
  let fake: FakeCrmServer;
  let site: AccessAllySite;
  beforeEach(async () => {
    ({ handoff, fake, site } = await startWithAccessAllySite(ACTIVE_CAMPAIGN));
  });
  afterEach(async () => {
    await handoff.close();
    await fake.close();
    await site.close();
  });

  const commands = () => site.calls.map((call) => call.command);

  it('creates the user once, after the access tags reached the CRM; later changes only refresh it', async () => {
    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '5201' });
    await settleSync(handoff);

    expect(commands()).toEqual(['aal_genpass']);
    expect(site.calls[0]!.crmTagsThen).toEqual(['Bought Focus', 'Focus - Access']);
    expect(Object.fromEntries(new URLSearchParams(site.calls[0]!.body))).toEqual({
      'contact[id]': String(fake.state.findContactByEmail('ada@example.com')!.id),
      'contact[email]': 'ada@example.com',
    });

    await handoff.send('purchase', { email: 'ada@example.com', item: 'bump-12', orderId: '5202' });
    await settleSync(handoff);

    expect(commands()).toEqual(['aal_genpass', 'aal_updateuser']);
    expect(site.users.get('ada@example.com')).toMatchObject({ passwords: 1 });
  });

  it('never sends it to a member who had access before Handoff (their CRM record held an offering tag)', async () => {
    // A member from before Handoff: a WordPress user, and a CRM contact whose access had ended.
    fake.state.upsertContact('grace@example.com', 'Grace', 'Hopper');
    fake.state.tagOutsideHandoff('grace@example.com', 'Focus - Revoke');
    site.addExistingUser('grace@example.com');

    await handoff.send('purchase', { email: 'grace@example.com', item: 'product-12', orderId: '5203' });
    await settleSync(handoff);

    expect(commands()).toEqual(['aal_updateuser']);
    expect(site.users.get('grace@example.com')).toMatchObject({ passwords: 1, flagged: true });
    expect(tagsIn(fake, 'grace@example.com')).toEqual(['Bought Focus', 'Focus - Access']);
  });

  it('retries a create call the site answered with an error, and creates the user once', async () => {
    site.failNext(503);

    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '5204' });
    await settleSync(handoff);

    expect(commands()).toEqual(['aal_genpass', 'aal_genpass']);
    expect(site.users.get('ada@example.com')).toMatchObject({ passwords: 1 });
    expect(await jobsIn(handoff, 'dead')).toEqual([]);
  });

  it('does not send a create call again when its answer was never recorded, and says what to check', async () => {
    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '5205' });
    await settleSync(handoff);
    // As if the process had stopped between sending the call and recording AccessAlly's answer.
    const contactId = (
      await handoff.runtime.ctx.pool.query<{ id: number }>(`select id from contacts where email = 'ada@example.com'`)
    ).rows[0]!.id;
    await handoff.runtime.ctx.pool.query(`update accessally_users set state = 'creating' where contact_id = $1`, [
      contactId,
    ]);
    await enqueueJob(handoff.runtime.ctx.pool, {
      kind: 'accessally.notify',
      key: String(contactId),
      runAt: handoff.clock.now(),
    });

    await settleSync(handoff);

    expect(commands()).toEqual(['aal_genpass']);
    expect((await jobsIn(handoff, 'dead')).map((job) => job.last_error)).toEqual([
      expect.stringContaining('Detailed Log'),
    ]);
  });
});

const ONTRAPORT_APP_ID = '2_12345_AbCdEf';
const ONTRAPORT_KEY = 'ontraport-key-0123456789';

interface SiteCrmCase extends CrmUnderTest {
  provider: 'ontraport' | 'kit';
  /** The body AccessAlly documents for this CRM's call, for the contact the CRM fake knows. */
  documentedBody(fake: FakeCrmServer, email: string): unknown;
}

const SITE_CRMS: SiteCrmCase[] = [
  {
    provider: 'ontraport',
    start: (now) => startOntraportFake(ONTRAPORT_APP_ID, ONTRAPORT_KEY, { now }),
    entry: (fake) =>
      `  - { provider: ontraport, baseUrl: "${fake.url}", appId: "${ONTRAPORT_APP_ID}", apiKey: "${ONTRAPORT_KEY}" }`,
    // The post data [Contact ID], nothing else, no new line at the end.
    documentedBody: (fake, email) => String(fake.state.findContactByEmail(email)!.id),
  },
  {
    provider: 'kit',
    start: (now) => startKitFake(KIT_KEY, { now }),
    entry: (fake) => kitEntry(fake),
    // Kit's rule webhook: the subscriber event payload, the id a number.
    documentedBody: (fake, email) => ({
      subscriber: {
        id: fake.state.findContactByEmail(email)!.id,
        first_name: 'Ada',
        email_address: email,
        state: 'active',
        created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        fields: {},
      },
    }),
  },
];

describe.each(SITE_CRMS)('AccessAlly reading from $provider: the call AccessAlly documents for it', (crm) => {
  let handoff: TestHandoff;
  let fake: FakeCrmServer;
  let site: AccessAllySite;
  beforeEach(async () => {
    ({ handoff, fake, site } = await startWithAccessAllySite(crm));
  });
  afterEach(async () => {
    await handoff.close();
    await fake.close();
    await site.close();
  });

  it('gives a first-time buyer a WordPress user, then refreshes it after a later change', async () => {
    await handoff.send('purchase', {
      email: 'ada@example.com',
      item: 'product-12',
      orderId: '5301',
      firstName: 'Ada',
      lastName: 'Lovelace',
    });
    await settleSync(handoff);

    expect(site.calls).toHaveLength(1);
    const [call] = site.calls;
    expect(call!.command).toBe('aal_genpass');
    expect(call!.found).toBe('ada@example.com');
    expect(call!.crmTagsThen).toEqual(['Bought Focus', 'Focus - Access']);
    const body = crm.provider === 'kit' ? JSON.parse(call!.body) : call!.body;
    expect(body).toEqual(crm.documentedBody(fake, 'ada@example.com'));
    expect(site.users.get('ada@example.com')).toMatchObject({ passwords: 1 });

    await handoff.send('purchase', { email: 'ada@example.com', item: 'bump-12', orderId: '5302' });
    await settleSync(handoff);

    expect(site.calls.map((made) => [made.command, made.found])).toEqual([
      ['aal_genpass', 'ada@example.com'],
      ['aal_updateuser', 'ada@example.com'],
    ]);
    expect(site.users.get('ada@example.com')).toMatchObject({ passwords: 1, flagged: true });
    expect(await jobsIn(handoff, 'dead')).toEqual([]);
  });
});

describe('the AccessAlly site fake finds nobody in a call of another shape', () => {
  let site: AccessAllySite;
  afterEach(() => site.close());

  it.each([
    ['ontraport', 'application/x-www-form-urlencoded', 'contact_id=101&email=ada%40example.com'],
    ['ontraport', 'application/x-www-form-urlencoded', '101\n'],
    ['kit', 'application/x-www-form-urlencoded', 'contact_id=101&email=ada%40example.com'],
    ['kit', 'application/json', '{"subscriber":{"id":"101","email_address":"ada@example.com"}}'],
    ['activecampaign', 'application/x-www-form-urlencoded', 'contact_id=101&email=ada%40example.com'],
  ] as const)('%s: %s %j creates no user', async (provider, contentType, body) => {
    const state = new FakeCrmState();
    state.createContact('ada@example.com');
    site = await startAccessAllySite({ provider, state });

    const response = await fetch(`${site.url}/?aal_genpass=handshake`, {
      method: 'POST',
      headers: { 'content-type': contentType },
      body,
    });

    expect(response.status).toBe(200);
    expect(site.calls.map((call) => call.found)).toEqual([null]);
    expect(site.users.size).toBe(0);
  });
});
