/**
 * Shared set-up for the CRM sync tests: provider fakes timed by the test's fake clock, a config
 * pointing at them, and a way to run the job worker until the CRM work is done (moving the fake
 * clock to each next due job, as waiting would).
 */
import {
  startActiveCampaignFake,
  type ActiveCampaignFake,
  type ActiveCampaignFakeOptions,
} from '../support/crm-fakes/activecampaign.ts';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { startKitFake } from '../support/crm-fakes/kit.ts';
import type { HandoffConfig } from '../../src/config/schema.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { ADMIN_TOKEN, startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { testConfig } from '../support/test-config.ts';

export const AC_TOKEN = 'ac-token-0123456789';
export const KIT_KEY = 'kit-key-0123456789';

export function crmConfig(crmYaml: string, extraYaml = ''): HandoffConfig {
  return testConfig(`crm:\n${crmYaml}\n${extraYaml}`);
}

export function activeCampaignEntry(fake: FakeCrmServer, token = AC_TOKEN, name?: string): string {
  return `  - { provider: activecampaign, baseUrl: "${fake.url}", apiKey: "${token}"${name ? `, name: ${name}` : ''} }`;
}

export function kitEntry(fake: FakeCrmServer, key = KIT_KEY): string {
  return `  - { provider: kit, baseUrl: "${fake.url}", apiKey: "${key}" }`;
}

export async function startHandoffWith(
  config: (clock: FakeClock) => Promise<HandoffConfig> | HandoffConfig,
): Promise<TestHandoff> {
  const clock = new FakeClock();
  return startTestHandoff({ config: await config(clock), clock });
}

/** Handoff with one ActiveCampaign account, its fake timed by Handoff's clock: where most CRM tests start. */
export async function startWithActiveCampaign(
  fakeOptions: Omit<ActiveCampaignFakeOptions, 'now'> = {},
): Promise<{ handoff: TestHandoff; activeCampaign: ActiveCampaignFake }> {
  let activeCampaign: ActiveCampaignFake | undefined;
  const handoff = await startHandoffWith(async (clock) => {
    activeCampaign = await startActiveCampaignFake(AC_TOKEN, { ...fakeOptions, now: () => clock.now() });
    return crmConfig(activeCampaignEntry(activeCampaign));
  });
  return { handoff, activeCampaign: activeCampaign! };
}

/**
 * Handoff pushing to two CRMs at once, ActiveCampaign and Kit, both fakes timed by Handoff's clock.
 * `crmYaml` is the `crm:` list it was started with, for a config file the CLI is to read.
 */
export async function startWithActiveCampaignAndKit(): Promise<{
  handoff: TestHandoff;
  activeCampaign: FakeCrmServer;
  kit: FakeCrmServer;
  crmYaml: string;
}> {
  let activeCampaign: FakeCrmServer | undefined;
  let kit: FakeCrmServer | undefined;
  let crmYaml = '';
  const handoff = await startHandoffWith(async (clock) => {
    activeCampaign = await startActiveCampaignFake(AC_TOKEN, { now: () => clock.now() });
    kit = await startKitFake(KIT_KEY, { now: () => clock.now() });
    crmYaml = `${activeCampaignEntry(activeCampaign)}\n${kitEntry(kit)}`;
    return crmConfig(crmYaml);
  });
  return { handoff, activeCampaign: activeCampaign!, kit: kit!, crmYaml };
}

/** CRM and AccessAlly jobs: the ones these tests wait for (not the ledger's far-future timers). */
const SYNC_JOBS = `(kind like 'crm.sync:%' or kind like 'crm.erase:%' or kind = 'accessally.notify')`;
/** The same, and the jobs following a bulk import until the CRM has run it (they wait up to an hour). */
export const WITH_BULK_CHECKS = `(${SYNC_JOBS} or kind like 'crm.bulk-check:%')`;

/**
 * Runs due jobs, then moves the clock to the next pending sync job, until none is pending or
 * `withinMs` of fake time has passed. Returns the fake time spent.
 */
export async function settleSync(
  handoff: TestHandoff,
  withinMs = 6 * 3_600_000,
  jobKinds = SYNC_JOBS,
): Promise<number> {
  const started = handoff.clock.now();
  for (;;) {
    await handoff.runJobs();
    const next = await handoff.runtime.ctx.pool.query<{ run_at: number | null }>(
      // A job of a held kind is due when both its own time and its kind's hold have come.
      `select (extract(epoch from min(greatest(run_at, hold.until))) * 1000)::float8 as run_at
         from jobs left join job_kind_holds hold using (kind) where state = 'pending' and ${jobKinds}`,
    );
    const runAt = next.rows[0]?.run_at ?? null;
    if (runAt === null || runAt - started > withinMs) return handoff.clock.now() - started;
    handoff.clock.set(Math.max(runAt, handoff.clock.now()));
  }
}

export async function jobsIn(
  handoff: TestHandoff,
  state: 'pending' | 'dead',
): Promise<{ id: number; kind: string; key: string; attempts: number; last_error: string | null }[]> {
  const result = await handoff.runtime.ctx.pool.query<{
    id: number;
    kind: string;
    key: string;
    attempts: number;
    last_error: string | null;
  }>(`select id, kind, key, attempts, last_error from jobs where state = $1 and ${SYNC_JOBS} order by id`, [state]);
  return result.rows;
}

export function tagsIn(fake: FakeCrmServer, email: string): string[] {
  const contact = fake.state.findContactByEmail(email);
  return contact ? fake.state.tagNamesOf(contact.id).sort() : [];
}

/**
 * Edits the configuration in place and restarts Handoff on the same database, as a person fixing
 * the config file and restarting would (the harness boots from the same config object).
 */
export async function restartWithConfig(handoff: TestHandoff, config: HandoffConfig): Promise<void> {
  Object.assign(handoff.runtime.ctx.config, config);
  await handoff.restart();
}

/** POST on the API with the admin token. */
export async function apiPost<T>(handoff: TestHandoff, path: string): Promise<{ status: number; body: T }> {
  const response = await handoff.server.inject({
    method: 'POST',
    url: path,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
  });
  return { status: response.statusCode, body: response.json() };
}
