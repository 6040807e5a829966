import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAccessByHand } from '../../src/app/ledger/change-access-by-hand.ts';
import { replayLedger } from '../../src/app/ledger/replay-ledger.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';

describe('granting and revoking by hand', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff();
  });
  afterAll(() => handoff.close());

  it('grants complimentary access to someone who never bought, recorded with who and why', async () => {
    await changeAccessByHand(handoff.runtime.ctx, {
      email: 'Guest@Example.com',
      offering: 'masterclass',
      action: 'grant',
      actor: 'amy@school',
      note: 'podcast guest',
    });
    expect((await handoff.api('/api/access?email=guest@example.com&offering=masterclass')).body).toMatchObject({
      granted: true,
      until: null,
      reason: expect.stringMatching(/^Granted by hand by amy@school on \d{4}-\d{2}-\d{2}: podcast guest$/),
    });
    const timeline = await handoff.api<{ timeline: { summary: string }[] }>('/api/contacts/guest@example.com/timeline');
    expect(timeline.body.timeline.map((entry) => entry.summary)).toEqual([
      'Granted Masterclass by hand (amy@school: podcast guest): access to Masterclass granted',
    ]);
  });

  it('a revoke by hand denies what was bought before it, and a later purchase grants again', async () => {
    await handoff.send('purchase', { email: 'chargeback@example.com', item: 'product-12', orderId: '9601' });
    handoff.clock.advanceDays(1);
    await changeAccessByHand(handoff.runtime.ctx, {
      email: 'chargeback@example.com',
      offering: 'focus-course',
      action: 'revoke',
      actor: 'amy@school',
      note: 'chargeback',
    });
    expect((await handoff.api('/api/access?email=chargeback@example.com&offering=focus-course')).body).toMatchObject({
      granted: false,
      reason: expect.stringContaining('chargeback'),
    });
    const contact = await handoff.api<{ tags: { name: string }[] }>('/api/contacts/chargeback@example.com');
    expect(contact.body.tags.map((tag) => tag.name).sort()).toEqual([
      'Bought Focus',
      'Focus - Access',
      'Focus - Revoke',
    ]);

    handoff.clock.advanceDays(1);
    await handoff.send('purchase', { email: 'chargeback@example.com', item: 'product-12', orderId: '9602' });
    expect((await handoff.api('/api/access?email=chargeback@example.com&offering=focus-course')).body).toMatchObject({
      granted: true,
    });
  });

  it('survives a replay of the ledger', async () => {
    const report = await replayLedger(handoff.runtime.ctx, { dryRun: false });
    expect(report.changed).toEqual([]);
    expect((await handoff.api('/api/access?email=guest@example.com&offering=masterclass')).body).toMatchObject({
      granted: true,
    });
  });
});
