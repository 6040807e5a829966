import { afterEach, describe, expect, it } from 'vitest';
import { replayLedger } from '../../src/app/ledger/replay-ledger.ts';
import { ledgerRules } from '../../src/core/ledger/rules.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { testConfig } from '../support/test-config.ts';

describe('replay', () => {
  let handoff: TestHandoff;
  afterEach(() => handoff.close());

  it('keeps a delivery whose apply step fails, marks it failed with the error, and applies it on replay once fixed', async () => {
    handoff = await startTestHandoff();
    const pool = handoff.runtime.ctx.pool;
    // A database trigger stands in for any failure inside the apply step (a bug, a constraint).
    await pool.query(
      `create function refuse_contact() returns trigger language plpgsql as $$ begin raise exception 'contacts are read-only today'; end $$`,
    );
    await pool.query(
      `create trigger refuse_contact before insert on contacts for each row execute function refuse_contact()`,
    );

    const sent = await handoff.send('purchase', { email: 'unlucky@example.com', item: 'product-12', orderId: '9201' });
    expect(sent).toMatchObject({ status: 200, body: { status: 'failed', reason: 'contacts are read-only today' } });
    const deliveryId = Number(sent.body.deliveryId);
    expect((await pool.query('select count(*)::int as count from contacts')).rows[0]).toEqual({ count: 0 });
    expect((await handoff.api(`/api/deliveries/${deliveryId}`)).body).toMatchObject({
      status: 'failed',
      reason: 'contacts are read-only today',
      contactId: null,
    });

    await pool.query('drop trigger refuse_contact on contacts');
    const replayed = await handoff.server.inject({
      method: 'POST',
      url: `/api/deliveries/${deliveryId}/replay`,
      headers: { authorization: 'Bearer test-admin-token' },
    });
    expect(replayed.json()).toEqual({ deliveryId, previousStatus: 'failed', status: 'applied', reason: null });
    expect((await handoff.api('/api/access?email=unlucky@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
  });

  it('rebuilds the ledger after a configuration change; a dry run reports it and changes nothing', async () => {
    handoff = await startTestHandoff();
    await handoff.send('purchase', { email: 'early@example.com', item: 'upsell-7', orderId: '9301' });
    await handoff.send('purchase', { email: 'course@example.com', item: 'product-12', orderId: '9302' });
    expect((await handoff.api('/api/contacts/early@example.com')).status).toBe(404);

    // The creator configures upsell-7, which was sold before anyone told Handoff about it.
    const config = testConfig();
    config.offerings.push({ id: 'vip', name: 'VIP Calls', accessTag: 'VIP - Access', revokeTag: 'VIP - Revoke' });
    config.items.push({
      item: 'upsell-7',
      tags: [],
      grants: ['vip'],
      onCancel: 'end-of-period',
      onRefund: 'revoke',
      onPartialRefund: 'record',
      onPause: 'revoke',
      onSilence: 'keep',
    });
    Object.assign(handoff.runtime.ctx, { config, rules: ledgerRules(config) });

    const dryRun = await replayLedger(handoff.runtime.ctx, { dryRun: true });
    expect(dryRun).toMatchObject({
      dryRun: true,
      deliveries: 2,
      reclassified: [{ from: 'ignored', to: 'applied' }],
      changed: [{ email: 'early@example.com', accessGained: ['vip'], tagsAdded: ['VIP - Access'] }],
    });
    expect((await handoff.api('/api/contacts/early@example.com')).status).toBe(404);

    const real = await replayLedger(handoff.runtime.ctx, { dryRun: false });
    expect(real.changed).toEqual(dryRun.changed);
    expect((await handoff.api('/api/access?email=early@example.com&offering=vip')).body).toMatchObject({
      granted: true,
    });
    expect((await handoff.api('/api/access?email=course@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
    const again = await replayLedger(handoff.runtime.ctx, { dryRun: false });
    expect(again).toMatchObject({ reclassified: [], changed: [] });
  });

  it('leaves the stored deliveries untouched when nothing about them changed', async () => {
    handoff = await startTestHandoff();
    for (const [index, item] of ['product-12', 'product-40', 'upsell-7'].entries()) {
      await handoff.send('purchase', { email: `still${index}@example.com`, item, orderId: `940${index}` });
    }
    const pool = handoff.runtime.ctx.pool;
    // xmin is the transaction that last wrote a row version: any rewrite changes it.
    const versions = async () =>
      (await pool.query<{ id: number; xmin: string }>('select id, xmin::text as xmin from deliveries order by id'))
        .rows;
    const before = await versions();
    expect(before).toHaveLength(3);
    expect(await replayLedger(handoff.runtime.ctx, { dryRun: false })).toMatchObject({
      deliveries: 3,
      reclassified: [],
      changed: [],
    });
    expect(await versions()).toEqual(before);
  });
});
