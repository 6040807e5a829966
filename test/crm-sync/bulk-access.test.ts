/**
 * ActiveCampaign's bulk import at a launch: the access tags of the buyers waiting for their first
 * push go in one call, and each buyer's own push still applies and records every tag, so an
 * import that AC applies late, or never, loses nothing.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import type { TestHandoff } from '../support/handoff.ts';
import { eraseContact } from '../../src/app/contacts/contact-data-rights.ts';
import { shareBulkImportNotes } from '../../src/adapters/store/bulk-import-lock.ts';
import { findContactByEmail } from '../../src/adapters/store/contacts.ts';
import { recordBulkImported } from '../../src/adapters/store/crm-contacts.ts';
import type { Pool } from '../../src/adapters/store/database.ts';
import { jobsIn, settleSync, startWithActiveCampaign, tagsIn, WITH_BULK_CHECKS } from './crm-sync-harness.ts';

const IMPORT = '/api/3/import/bulk_import';

/** Until some session waits for an advisory lock (or 2 s have passed: then the assertions say what went wrong). */
async function untilAnAdvisoryLockIsAwaited(pool: Pool): Promise<void> {
  for (let tries = 0; tries < 40; tries++) {
    const waiting = await pool.query(`select 1 from pg_locks where locktype = 'advisory' and not granted`);
    if (waiting.rowCount) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('access tags of waiting buyers in one ActiveCampaign bulk import', () => {
  let handoff: TestHandoff;
  let fake: ActiveCampaignFake;

  async function launch(buyers: number, importDelayMs: number | 'held'): Promise<string[]> {
    ({ handoff, activeCampaign: fake } = await startWithActiveCampaign({ importDelayMs }));
    const emails = Array.from({ length: buyers }, (_, index) => `buyer-${String(index).padStart(3, '0')}@example.com`);
    for (const [index, email] of emails.entries())
      await handoff.send('purchase', {
        email,
        firstName: `Buyer ${index}`,
        item: 'product-12',
        orderId: `71${index}`,
        customerId: customerIdOf(index),
      });
    return emails;
  }
  const customerIdOf = (index: number) => `4295836577274${String(index).padStart(5, '0')}`;
  /** The import sent (and, unless held, applied); every buyer in it waits 10 s before their own push. */
  async function untilImportSent(): Promise<void> {
    await handoff.runJobs();
    expect(imports()).toHaveLength(1);
    expect(fake.requests.filter((request) => request.path === '/api/3/contact/sync')).toEqual([]);
  }
  const imports = () => fake.requests.filter((request) => request.method === 'POST' && request.path === IMPORT);

  afterEach(async () => {
    await handoff.close();
    await fake.close();
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

  it('deletes a person erased before ActiveCampaign ran the import only once it has, so the import cannot bring them back', async () => {
    const emails = await launch(12, 'held');
    const erased = emails[0]!;
    // Every buyer's own push done; the import is still waiting in ActiveCampaign.
    await settleSync(handoff, 10 * 60_000);
    expect(imports()).toHaveLength(1);
    expect(tagsIn(fake, erased)).toEqual(['Bought Focus', 'Focus - Access']);

    await eraseContact(handoff.runtime.ctx, erased, 'amy');
    await settleSync(handoff, 10 * 60_000);
    // ActiveCampaign runs the import now: it creates the person it carried, if they are not there.
    fake.applyHeldImports();
    await settleSync(handoff, undefined, WITH_BULK_CHECKS);

    expect(fake.state.findContactByEmail(erased)).toBeUndefined();
    expect(fake.requests.some((request) => request.path === '/api/3/import/info')).toBe(true);
    for (const email of emails.slice(1)) expect(tagsIn(fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
    expect(await jobsIn(handoff, 'dead')).toEqual([]);
    expect(await jobsIn(handoff, 'pending')).toEqual([]);
  }, 60_000);

  it('deletes a person erased after the import ran but before their own push, whose CRM id Handoff never learnt', async () => {
    const emails = await launch(12, 0);
    const erased = emails[0]!;
    await untilImportSent();
    expect(tagsIn(fake, erased)).toEqual(['Focus - Access']);

    await eraseContact(handoff.runtime.ctx, erased, 'amy');
    await settleSync(handoff, undefined, WITH_BULK_CHECKS);

    expect(fake.state.findContactByEmail(erased)).toBeUndefined();
    for (const email of emails.slice(1)) expect(tagsIn(fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
    expect(await jobsIn(handoff, 'dead')).toEqual([]);
  }, 60_000);

  it('deletes a person erased before both their own push and the import, once ActiveCampaign has run it', async () => {
    const emails = await launch(12, 'held');
    const erased = emails[0]!;
    await untilImportSent();

    await eraseContact(handoff.runtime.ctx, erased, 'amy');
    await settleSync(handoff, 10 * 60_000);
    fake.applyHeldImports();
    await settleSync(handoff, undefined, WITH_BULK_CHECKS);

    expect(fake.state.findContactByEmail(erased)).toBeUndefined();
    expect(await jobsIn(handoff, 'dead')).toEqual([]);
    expect(await jobsIn(handoff, 'pending')).toEqual([]);
  }, 60_000);

  it.each([
    ['after ActiveCampaign ran the import', 0],
    ['before ActiveCampaign ran the import', 'held'],
  ] as const)(
    'takes the access tag off the imported record of a buyer whose e-mail changed before their own push (%s)',
    async (_when, importDelayMs) => {
      const emails = await launch(12, importDelayMs);
      const [before] = emails;
      await untilImportSent();

      await handoff.send('customer_updated', {
        email: before!,
        newEmail: 'moved@example.com',
        customerId: customerIdOf(0),
        firstName: 'Buyer 0',
      });
      await settleSync(handoff, 10 * 60_000);
      fake.applyHeldImports();
      await settleSync(handoff, undefined, WITH_BULK_CHECKS);

      // The record the import created under the old address grants nothing; the person is whole under the new one.
      expect(tagsIn(fake, before!)).toEqual([]);
      expect(tagsIn(fake, 'moved@example.com')).toEqual(['Bought Focus', 'Focus - Access']);
      for (const email of emails.slice(1))
        expect(tagsIn(fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
      expect(await jobsIn(handoff, 'dead')).toEqual([]);
    },
    60_000,
  );

  it('makes an erasure that starts while an import is noting its people wait for the note, so its job looks for what the import creates', async () => {
    ({ handoff, activeCampaign: fake } = await startWithActiveCampaign({ importDelayMs: 0 }));
    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '7190' });
    const { pool } = handoff.runtime.ctx;
    const contact = (await findContactByEmail(pool, 'ada@example.com'))!;
    // A bulk import noting its people (bulk-access-tags.ts), caught between its lock and its commit.
    const noting = await pool.connect();
    await noting.query('begin');
    await shareBulkImportNotes(noting);
    const erasing = eraseContact(handoff.runtime.ctx, 'ada@example.com', 'amy');
    await untilAnAdvisoryLockIsAwaited(pool);
    await recordBulkImported(
      noting,
      'activecampaign',
      [{ contactId: contact.id, email: 'ada@example.com', tags: ['Focus - Access'] }],
      handoff.clock.now(),
    );
    await noting.query('commit');
    noting.release();
    await erasing;

    const erasure = await pool.query<{ payload: { importedEmail: string | null } }>(
      `select payload from jobs where kind = 'crm.erase:activecampaign'`,
    );
    expect(erasure.rows.map((row) => row.payload.importedEmail)).toEqual(['ada@example.com']);
  }, 60_000);

  it('lets no erasure wait for an import ActiveCampaign refused: a refused import carried no one', async () => {
    const emails = await launch(12, 0);
    fake.replyOnce('POST', IMPORT, { status: 400, json: { failureReasons: ['Invalid contact list'], success: 0 } });
    // The buyers are carried by a later import, or pushed alone.
    await settleSync(handoff, 10 * 60_000);
    for (const email of emails) expect(tagsIn(fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);

    await eraseContact(handoff.runtime.ctx, emails[0]!, 'amy');
    // A minute, not the hour an import whose fate is unknown makes an erasure wait.
    await settleSync(handoff, 60_000, WITH_BULK_CHECKS);

    expect(fake.state.findContactByEmail(emails[0]!)).toBeUndefined();
    expect(await jobsIn(handoff, 'pending')).toEqual([]);
  }, 60_000);

  it('leaves a refunded buyer denied when ActiveCampaign runs the import afterwards: it adds the access tag, never removes the revoke tag', async () => {
    const emails = await launch(12, 'held');
    const refunded = emails[0]!;
    await settleSync(handoff, 10 * 60_000);
    await handoff.send('refund', { email: refunded, item: 'product-12', orderId: '710' });
    await settleSync(handoff, 10 * 60_000);

    fake.applyHeldImports();
    await settleSync(handoff, undefined, WITH_BULK_CHECKS);

    expect(tagsIn(fake, refunded)).toEqual(['Focus - Access', 'Focus - Revoke']);
  }, 60_000);
});
