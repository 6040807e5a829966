/**
 * ActiveCampaign's bulk import at a launch: the access tags of the buyers waiting for their first
 * push go in one call, and each buyer's own push still applies and records every tag, so an
 * import that AC applies late, or never, loses nothing. What becomes of the people an import
 * carried (erasure, e-mail change, refund) is in bulk-import-people.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { settleSync, tagsIn } from './crm-sync-harness.ts';
import { LaunchPerTest } from './bulk-launch.ts';

describe('access tags of waiting buyers in one ActiveCampaign bulk import', () => {
  const launched = new LaunchPerTest();

  it('sends the access tags of every waiting buyer in one call, before anyone else is pushed, and each push still records every tag', async () => {
    const emails = await launched.start(12, 0);

    await launched.handoff.runJobs();
    // One request brought every buyer their access tag; no one's own push has happened yet.
    expect(launched.imports()).toHaveLength(1);
    for (const [index, email] of emails.entries()) {
      expect(tagsIn(launched.fake, email), email).toEqual(['Focus - Access']);
      expect(launched.fake.state.findContactByEmail(email)?.firstName).toBe(`Buyer ${index}`);
    }
    expect(launched.fake.requests.filter((request) => request.path === '/api/3/contact/sync')).toEqual([]);

    await settleSync(launched.handoff);
    for (const email of emails) expect(tagsIn(launched.fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
    expect(launched.imports()).toHaveLength(1);
    const known = await launched.handoff.runtime.ctx.pool.query<{ known_tags: string[] }>(
      `select known_tags from crm_contacts where connector = 'activecampaign'`,
    );
    expect(known.rows.map((row) => [...row.known_tags].sort())).toEqual(
      emails.map(() => ['Bought Focus', 'Focus - Access']),
    );
  }, 60_000);

  it('loses nothing when ActiveCampaign never applies the import: each buyer’s own push applies the access tag', async () => {
    const emails = await launched.start(12, 3_600_000);

    await settleSync(launched.handoff);

    expect(launched.imports()).toHaveLength(1);
    for (const email of emails) expect(tagsIn(launched.fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
  }, 60_000);

  it('puts back the pushes of every buyer the import carried at once: their jobs are not run one by one just to wait', async () => {
    // Far more buyers than the worker claims in one round trip (20): most are still waiting when the import goes out.
    const emails = await launched.start(100, 0);

    // The first 5 s: the import goes out, and the waits the rate budget imposes (about a second) pass;
    // the carried buyers' own pushes are 10 s away.
    let jobRuns = await launched.handoff.runJobs();
    for (let second = 1; second <= 5; second += 1) {
      launched.handoff.clock.advance(1_000);
      jobRuns += await launched.handoff.runJobs();
    }
    expect(launched.imports()).toHaveLength(1);
    for (const email of emails) expect(tagsIn(launched.fake, email), email).toEqual(['Focus - Access']);
    expect(launched.fake.requests.filter((request) => request.path === '/api/3/contact/sync')).toEqual([]);
    // Put back one by one, every buyer's job would have run once more to learn it must wait (100 runs or more).
    expect(jobRuns).toBeLessThan(emails.length / 2);

    await settleSync(launched.handoff);
    for (const email of emails) expect(tagsIn(launched.fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
    expect(launched.imports()).toHaveLength(1);
  }, 60_000);

  it('sends a second bulk call for the buyers behind the first 250, rather than pushing each of them alone', async () => {
    const emails = await launched.start(300, 0);

    // 5 s of launched.fake time: the jobs that found the credential busy come back within a second; the
    // buyers in a batch wait 10 s before their own push, so none of those has happened yet.
    await settleSync(launched.handoff, 5_000);

    // ActiveCampaign takes 250 people a call: two calls, and still no buyer pushed alone.
    expect(launched.imports()).toHaveLength(2);
    for (const email of emails) expect(tagsIn(launched.fake, email), email).toEqual(['Focus - Access']);
    expect(launched.fake.requests.filter((request) => request.path === '/api/3/contact/sync')).toEqual([]);
  }, 120_000);

  it('makes no bulk call for 10 buyers or fewer, as ActiveCampaign asks', async () => {
    const emails = await launched.start(10, 0);

    await settleSync(launched.handoff);

    expect(launched.imports()).toEqual([]);
    for (const email of emails) expect(tagsIn(launched.fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
  }, 60_000);
});
