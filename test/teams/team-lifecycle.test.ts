/**
 * A team's whole life through the HTTP intake, the admin API and a CRM fake (Kit): members' access
 * and tags follow the payer's line through failed payments, recovery, a cancellation at period
 * end and a refund.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startKitFake } from '../support/crm-fakes/kit.ts';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { ADMIN_TOKEN, type TestHandoff } from '../support/handoff.ts';
import { KIT_KEY, kitEntry, settleSync, startHandoffWith, tagsIn } from '../crm-sync/crm-sync-harness.ts';
import { accessOf, buyTeamPlanAsAda, teamConfig } from './teams-harness.ts';
import { DAY_MS } from '../../src/core/time.ts';

async function call(
  handoff: TestHandoff,
  method: 'GET' | 'POST' | 'PUT' | 'DELETE',
  url: string,
  payload?: Record<string, unknown>,
): Promise<{ status: number; body: unknown }> {
  const response = await handoff.server.inject({
    method,
    url,
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(payload ? { 'content-type': 'application/json' } : {}) },
    ...(payload ? { payload: JSON.stringify(payload) } : {}),
  });
  return { status: response.statusCode, body: response.body === '' ? null : response.json() };
}

interface TeamSummary {
  id: number;
  item: string;
  orderId: string;
  offerings: string[];
  seats: number;
  members: string[];
}

async function teamsLedBy(handoff: TestHandoff, email: string): Promise<TeamSummary[]> {
  return (await call(handoff, 'GET', `/api/teams?leader=${encodeURIComponent(email)}`)).body as TeamSummary[];
}

describe('a team plan, end to end', () => {
  let handoff: TestHandoff;
  let kit: FakeCrmServer;
  afterEach(async () => {
    await handoff.close();
    await kit.close();
  });

  async function start(): Promise<void> {
    handoff = await startHandoffWith(async (clock) => {
      kit = await startKitFake(KIT_KEY, { now: () => clock.now() });
      return teamConfig(
        `crm:\n${kitEntry(kit)}\nwebhooks:\n  endpoints:\n    - { name: site, url: "http://127.0.0.1:9/hooks", secret: "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw" }`,
      );
    });
  }

  it('members keep access through grace, get it back on recovery and lose it when the cancelled period ends', async () => {
    await start();
    const purchase = await buyTeamPlanAsAda(handoff);
    expect(purchase.body.status).toBe('applied');
    const [team] = await teamsLedBy(handoff, 'ada@example.com');
    expect(team).toMatchObject({
      item: 'product-50',
      orderId: '9901',
      offerings: ['inner-circle'],
      seats: 2,
      members: [],
    });

    expect((await call(handoff, 'POST', `/api/teams/${team!.id}/members`, { email: 'bob@example.com' })).status).toBe(
      201,
    );
    expect((await call(handoff, 'POST', `/api/teams/${team!.id}/members`, { email: 'cy@example.com' })).status).toBe(
      201,
    );
    const full = await call(handoff, 'POST', `/api/teams/${team!.id}/members`, { email: 'dee@example.com' });
    expect(full).toMatchObject({ status: 409, body: { error: 'no_free_seat' } });
    expect((await teamsLedBy(handoff, 'ada@example.com'))[0]!.members).toEqual(['bob@example.com', 'cy@example.com']);

    await settleSync(handoff);
    expect(tagsIn(kit, 'bob@example.com')).toEqual(['Inner Circle - Access', 'team-9901-product-50']);
    expect(tagsIn(kit, 'dee@example.com')).toEqual([]);
    expect(await accessOf(handoff, 'bob@example.com')).toMatchObject({
      granted: true,
      until: null,
      reason: expect.stringMatching(/^Member of Ada Lovelace's team \(Course 50 & Community, order 9901\) since /),
    });
    const messages = await handoff.runtime.ctx.pool.query<{ type: string }>(
      `select type from webhook_messages where type like 'team.%' order by created_at, id`,
    );
    expect(messages.rows.map((row) => row.type)).toEqual(['team.member_added', 'team.member_added']);

    // The payer's renewal fails: members keep access for the grace period, like the payer.
    handoff.clock.advanceDays(30);
    const failedAt = Math.floor(handoff.clock.now() / 1000) * 1000; // ThriveCart's times are whole seconds
    await handoff.send('failed', { email: 'ada@example.com', item: 'product-50', orderId: '9901' });
    expect(await accessOf(handoff, 'bob@example.com')).toMatchObject({
      granted: true,
      until: new Date(failedAt + 14 * DAY_MS).toISOString(),
      reason: expect.stringMatching(/Payment for .* failed on .*; access continues until/),
    });
    await settleSync(handoff);
    expect(tagsIn(kit, 'bob@example.com')).toEqual(['Inner Circle - Access', 'team-9901-product-50']);
    // The payer's failed tag is the payer's: members are not asked to pay.
    expect(tagsIn(kit, 'ada@example.com')).toContain('Payment Failed');

    // The payment arrives: open-ended again.
    handoff.clock.advanceDays(3);
    await handoff.send('renewal', { email: 'ada@example.com', item: 'product-50', orderId: '9901' });
    expect(await accessOf(handoff, 'cy@example.com')).toMatchObject({ granted: true, until: null });

    // Cancelled at period end: members keep access until the paid period ends, then lose it at that moment.
    handoff.clock.advanceDays(5);
    const paidThrough = Math.floor(handoff.clock.now() / 1000) * 1000 + 20 * DAY_MS;
    await handoff.send('cancel', {
      email: 'ada@example.com',
      item: 'product-50',
      orderId: '9901',
      paidThrough: new Date(paidThrough),
    });
    expect(await accessOf(handoff, 'bob@example.com')).toMatchObject({
      granted: true,
      until: new Date(paidThrough).toISOString(),
    });
    await settleSync(handoff);
    handoff.clock.set(paidThrough - 1000);
    expect(await accessOf(handoff, 'cy@example.com')).toMatchObject({ granted: true });
    handoff.clock.set(paidThrough + 1000);
    // Read from time before any timer ran, then from the timers' work.
    expect(await accessOf(handoff, 'cy@example.com')).toMatchObject({ granted: false });
    await handoff.runJobs();
    await settleSync(handoff);
    for (const member of ['bob@example.com', 'cy@example.com']) {
      expect(await accessOf(handoff, member)).toMatchObject({
        granted: false,
        reason: expect.stringMatching(/^Member of .*; Cancelled .* the paid period ended on /),
      });
      expect(tagsIn(kit, member)).toEqual(['Inner Circle - Access', 'Inner Circle - Revoke', 'team-9901-product-50']);
    }
  });

  it('a full refund revokes every member at once', async () => {
    await start();
    await handoff.send('purchase', {
      email: 'ada@example.com',
      item: 'product-50',
      orderId: '9902',
      amountCents: 50000,
    });
    const [team] = await teamsLedBy(handoff, 'ada@example.com');
    await call(handoff, 'POST', `/api/teams/${team!.id}/members`, { email: 'bob@example.com' });
    await settleSync(handoff);
    expect(tagsIn(kit, 'bob@example.com')).toEqual(['Inner Circle - Access', 'team-9902-product-50']);

    handoff.clock.advanceDays(2);
    await handoff.send('refund', {
      email: 'ada@example.com',
      item: 'product-50',
      orderId: '9902',
      refundAmountCents: 50000,
    });
    expect(await accessOf(handoff, 'bob@example.com')).toMatchObject({
      granted: false,
      reason: expect.stringMatching(/; Refunded /),
    });
    await settleSync(handoff);
    expect(tagsIn(kit, 'bob@example.com')).toEqual([
      'Inner Circle - Access',
      'Inner Circle - Revoke',
      'team-9902-product-50',
    ]);

    // A removed member frees the seat at once and loses the team tag.
    expect((await call(handoff, 'DELETE', `/api/teams/${team!.id}/members/bob@example.com`)).status).toBe(204);
    expect((await call(handoff, 'DELETE', `/api/teams/${team!.id}/members/bob@example.com`)).status).toBe(404);
    await settleSync(handoff);
    expect(tagsIn(kit, 'bob@example.com')).toEqual(['Inner Circle - Access', 'Inner Circle - Revoke']);
    const messages = await handoff.runtime.ctx.pool.query<{ type: string }>(
      `select type from webhook_messages where type like 'team.%' order by created_at, id`,
    );
    expect(messages.rows.map((row) => row.type)).toEqual(['team.member_added', 'team.member_removed']);
  });
});
