/**
 * ActiveCampaign's bulk import at a launch: the access tags of the buyers waiting for their first
 * push go in one call, and each buyer's own push still applies and records every tag, so an
 * import that AC applies late, or never, loses nothing. What becomes of the people an import
 * carried (erasure, e-mail change, refund) is in bulk-import-people.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import type { TestHandoff } from '../support/handoff.ts';
import { settleSync, tagsIn } from './crm-sync-harness.ts';
import { launch as startLaunch, type Launch } from './bulk-launch.ts';

describe('access tags of waiting buyers in one ActiveCampaign bulk import', () => {
  let handoff: TestHandoff;
  let fake: ActiveCampaignFake;
  let current: Launch | undefined;

  async function launch(buyers: number, importDelayMs: number | 'held'): Promise<string[]> {
    current = await startLaunch(buyers, importDelayMs);
    ({ handoff, fake } = current);
    return current.emails;
  }
  const imports = () => current!.imports();

  afterEach(async () => {
    await current?.close();
    current = undefined;
  });

  it('sends the access tags of every waiting buyer in one call, before anyone else is pushed, and each push still records every tag', async () => {
    const emails = await launch(12, 0);

    await handoff.runJobs();
    // One request brought every buyer their access tag; no one's own push has happened yet.
    expect(imports()).toHaveLength(1);
    for (const [index, email] of emails.entries()) {
      expect(tagsIn(fake, email), email).toEqual(['Focus - Access']);
      expect(fake.state.findContactByEmail(email)?.firstName).toBe(`Buyer ${index}`);
    }
    expect(fake.requests.filter((request) => request.path === '/api/3/contact/sync')).toEqual([]);

    await settleSync(handoff);
    for (const email of emails) expect(tagsIn(fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
    expect(imports()).toHaveLength(1);
    const known = await handoff.runtime.ctx.pool.query<{ known_tags: string[] }>(
      `select known_tags from crm_contacts where connector = 'activecampaign'`,
    );
    expect(known.rows.map((row) => [...row.known_tags].sort())).toEqual(
      emails.map(() => ['Bought Focus', 'Focus - Access']),
    );
  }, 60_000);

  it('loses nothing when ActiveCampaign never applies the import: each buyer’s own push applies the access tag', async () => {
    const emails = await launch(12, 3_600_000);

    await settleSync(handoff);

    expect(imports()).toHaveLength(1);
    for (const email of emails) expect(tagsIn(fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
  }, 60_000);

  it('sends a second bulk call for the buyers behind the first 250, rather than pushing each of them alone', async () => {
    const emails = await launch(300, 0);

    // 5 s of fake time: the jobs that found the credential busy come back within a second; the
    // buyers in a batch wait 10 s before their own push, so none of those has happened yet.
    await settleSync(handoff, 5_000);

    // ActiveCampaign takes 250 people a call: two calls, and still no buyer pushed alone.
    expect(imports()).toHaveLength(2);
    for (const email of emails) expect(tagsIn(fake, email), email).toEqual(['Focus - Access']);
    expect(fake.requests.filter((request) => request.path === '/api/3/contact/sync')).toEqual([]);
  }, 120_000);

  it('makes no bulk call for 10 buyers or fewer, as ActiveCampaign asks', async () => {
    const emails = await launch(10, 0);

    await settleSync(handoff);

    expect(imports()).toEqual([]);
    for (const email of emails) expect(tagsIn(fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
  }, 60_000);
});
