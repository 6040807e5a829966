/**
 * The people a bulk import carried, before their own push: whatever happens to them meanwhile
 * (erasure, a change of e-mail, a refund) holds once ActiveCampaign runs the import, early or late,
 * and an import it refused holds nothing up.
 */
import { describe, expect, it } from 'vitest';
import { BULK_QUEUED_DEFER_MS } from '../../src/app/crm/bulk-access-tags.ts';
import { eraseContact } from '../../src/app/contacts/contact-data-rights.ts';
import { shareBulkImportNotes } from '../../src/adapters/store/bulk-import-lock.ts';
import { findContactByEmail } from '../../src/adapters/store/contacts.ts';
import { recordBulkImported } from '../../src/adapters/store/crm-contacts.ts';
import type { Pool } from '../../src/adapters/store/database.ts';
import { jobsIn, settleSync, tagsIn, WITH_BULK_CHECKS } from './crm-sync-harness.ts';
import { customerIdOf, IMPORT, LaunchPerTest } from './bulk-launch.ts';

/** Until some session waits for an advisory lock (or 2 s have passed: then the assertions say what went wrong). */
async function untilAnAdvisoryLockIsAwaited(pool: Pool): Promise<void> {
  for (let tries = 0; tries < 40; tries++) {
    const waiting = await pool.query(`select 1 from pg_locks where locktype = 'advisory' and not granted`);
    if (waiting.rowCount) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('people an ActiveCampaign bulk import carried before their own push', () => {
  const launched = new LaunchPerTest();

  it('deletes a person erased before ActiveCampaign ran the import only once it has, so the import cannot bring them back', async () => {
    const emails = await launched.start(12, 'held');
    const erased = emails[0]!;
    // Every buyer's own push done; the import is still waiting in ActiveCampaign.
    await settleSync(launched.handoff, 10 * 60_000);
    expect(launched.imports()).toHaveLength(1);
    expect(tagsIn(launched.fake, erased)).toEqual(['Bought Focus', 'Focus - Access']);

    await eraseContact(launched.handoff.runtime.ctx, erased, 'amy');
    await settleSync(launched.handoff, 10 * 60_000);
    // ActiveCampaign runs the import now: it creates the person it carried, if they are not there.
    launched.fake.applyHeldImports();
    await settleSync(launched.handoff, undefined, WITH_BULK_CHECKS);

    expect(launched.fake.state.findContactByEmail(erased)).toBeUndefined();
    expect(launched.fake.requests.some((request) => request.path === '/api/3/import/info')).toBe(true);
    for (const email of emails.slice(1))
      expect(tagsIn(launched.fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
    expect(await jobsIn(launched.handoff, 'dead')).toEqual([]);
    expect(await jobsIn(launched.handoff, 'pending')).toEqual([]);
  }, 60_000);

  it('deletes a person erased after the import ran but before their own push, whose CRM id Handoff never learnt', async () => {
    const emails = await launched.start(12, 0);
    const erased = emails[0]!;
    await launched.untilImportSent();
    expect(tagsIn(launched.fake, erased)).toEqual(['Focus - Access']);

    await eraseContact(launched.handoff.runtime.ctx, erased, 'amy');
    await settleSync(launched.handoff, undefined, WITH_BULK_CHECKS);

    expect(launched.fake.state.findContactByEmail(erased)).toBeUndefined();
    for (const email of emails.slice(1))
      expect(tagsIn(launched.fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
    expect(await jobsIn(launched.handoff, 'dead')).toEqual([]);
  }, 60_000);

  it('deletes a person erased before both their own push and the import, once ActiveCampaign has run it', async () => {
    const emails = await launched.start(12, 'held');
    const erased = emails[0]!;
    await launched.untilImportSent();

    await eraseContact(launched.handoff.runtime.ctx, erased, 'amy');
    await settleSync(launched.handoff, 10 * 60_000);
    launched.fake.applyHeldImports();
    await settleSync(launched.handoff, undefined, WITH_BULK_CHECKS);

    expect(launched.fake.state.findContactByEmail(erased)).toBeUndefined();
    expect(await jobsIn(launched.handoff, 'dead')).toEqual([]);
    expect(await jobsIn(launched.handoff, 'pending')).toEqual([]);
  }, 60_000);

  it.each([
    ['after ActiveCampaign ran the import', 0],
    ['before ActiveCampaign ran the import', 'held'],
  ] as const)(
    'takes the access tag off the imported record of a buyer whose e-mail changed before their own push (%s)',
    async (_when, importDelayMs) => {
      const emails = await launched.start(12, importDelayMs);
      const [before] = emails;
      await launched.untilImportSent();

      await launched.handoff.send('customer_updated', {
        email: before!,
        newEmail: 'moved@example.com',
        customerId: customerIdOf(0),
        firstName: 'Buyer 0',
      });
      await settleSync(launched.handoff, 10 * 60_000);
      launched.fake.applyHeldImports();
      await settleSync(launched.handoff, undefined, WITH_BULK_CHECKS);

      // The record the import created under the old address grants nothing; the person is whole under the new one.
      expect(tagsIn(launched.fake, before!)).toEqual([]);
      expect(tagsIn(launched.fake, 'moved@example.com')).toEqual(['Bought Focus', 'Focus - Access']);
      for (const email of emails.slice(1))
        expect(tagsIn(launched.fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);
      expect(await jobsIn(launched.handoff, 'dead')).toEqual([]);
    },
    60_000,
  );

  it('makes an erasure that starts while an import is noting its people wait for the note, so its job looks for what the import creates', async () => {
    await launched.start(0, 0);
    await launched.handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '7190' });
    const { pool } = launched.handoff.runtime.ctx;
    const contact = (await findContactByEmail(pool, 'ada@example.com'))!;
    // A bulk import noting its people (bulk-access-tags.ts), caught between its lock and its commit.
    const noting = await pool.connect();
    await noting.query('begin');
    await shareBulkImportNotes(noting);
    const erasing = eraseContact(launched.handoff.runtime.ctx, 'ada@example.com', 'amy');
    await untilAnAdvisoryLockIsAwaited(pool);
    await recordBulkImported(
      noting,
      'activecampaign',
      [{ contactId: contact.id, email: 'ada@example.com', tags: ['Focus - Access'] }],
      launched.handoff.clock.now(),
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
    const emails = await launched.start(12, 0);
    launched.fake.replyOnce('POST', IMPORT, {
      status: 400,
      json: { failureReasons: ['Invalid contact list'], success: 0 },
    });
    // The buyers are carried by a later import, or pushed alone.
    await settleSync(launched.handoff, 10 * 60_000);
    for (const email of emails) expect(tagsIn(launched.fake, email), email).toEqual(['Bought Focus', 'Focus - Access']);

    await eraseContact(launched.handoff.runtime.ctx, emails[0]!, 'amy');
    // A minute, not the hour an import whose fate is unknown makes an erasure wait.
    await settleSync(launched.handoff, 60_000, WITH_BULK_CHECKS);

    expect(launched.fake.state.findContactByEmail(emails[0]!)).toBeUndefined();
    expect(await jobsIn(launched.handoff, 'pending')).toEqual([]);
  }, 60_000);

  it('leaves a refunded buyer denied when ActiveCampaign runs the import afterwards: it adds the access tag, never removes the revoke tag', async () => {
    const emails = await launched.start(12, 'held');
    const refunded = emails[0]!;
    await settleSync(launched.handoff, 10 * 60_000);
    await launched.handoff.send('refund', { email: refunded, item: 'product-12', orderId: '710' });
    await settleSync(launched.handoff, 10 * 60_000);

    launched.fake.applyHeldImports();
    await settleSync(launched.handoff, undefined, WITH_BULK_CHECKS);

    expect(tagsIn(launched.fake, refunded)).toEqual(['Focus - Access', 'Focus - Revoke']);
  }, 60_000);

  it('pushes the revoke tag of a buyer refunded while the import that carried them is still outstanding, once their wait is over', async () => {
    const emails = await launched.start(12, 'held');
    const refunded = emails[0]!;
    await launched.untilImportSent();
    await launched.handoff.send('refund', { email: refunded, item: 'product-12', orderId: '710' });

    // Within the 10 s every carried buyer waits, nobody's own push goes, the refunded buyer's included.
    launched.handoff.clock.advance(BULK_QUEUED_DEFER_MS - 1_000);
    await launched.handoff.runJobs();
    expect(launched.fake.requests.filter((request) => request.path === '/api/3/contact/sync')).toEqual([]);

    // Then their push brings the revoke tag (AccessAlly's permission tag stays; the revoke tag denies).
    await settleSync(launched.handoff, 10 * 60_000);
    expect(tagsIn(launched.fake, refunded)).toEqual(['Focus - Access', 'Focus - Revoke']);
    launched.fake.applyHeldImports();
    await settleSync(launched.handoff, undefined, WITH_BULK_CHECKS);
    expect(tagsIn(launched.fake, refunded)).toEqual(['Focus - Access', 'Focus - Revoke']);
  }, 60_000);
});
