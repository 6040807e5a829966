import { afterEach, describe, expect, it } from 'vitest';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { startKitFake } from '../support/crm-fakes/kit.ts';
import type { TestHandoff } from '../support/handoff.ts';
import {
  apiPost,
  crmConfig,
  jobsIn,
  KIT_KEY,
  kitEntry,
  restartWithConfig,
  settleSync,
  startHandoffWith,
  startWithActiveCampaign,
  tagsIn,
} from './crm-sync-harness.ts';

interface ProblemsBody {
  deadJobs: { id: number; kind: string; key: string; lastError: string }[];
  pausedConnectors: { connector: string; pausedReason: string }[];
}

describe('CRM failures that need a person', () => {
  let handoff: TestHandoff;
  let fake: FakeCrmServer;
  afterEach(async () => {
    await handoff.close();
    await fake.close();
  });

  it('pauses a connector whose key is refused, holds its jobs without spending attempts, and resumes when the check passes', async () => {
    ({ handoff, activeCampaign: fake } = await startWithActiveCampaign());
    fake.replyOnce('POST', '/api/3/contact/sync', {
      status: 403,
      json: { message: 'You are not authorized to access this resource' },
    });

    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '9001' });
    await handoff.runJobs();

    const problems = await handoff.api<ProblemsBody>('/api/problems');
    expect(problems.body.pausedConnectors).toEqual([
      expect.objectContaining({
        connector: 'activecampaign',
        pausedReason: expect.stringMatching(/^activecampaign: the API key was refused \(HTTP 403\)/),
      }),
    ]);
    expect(await jobsIn(handoff, 'pending')).toEqual([
      expect.objectContaining({ kind: 'crm.sync:activecampaign', attempts: 0 }),
    ]);

    const requestsWhilePaused = fake.requests.length;
    handoff.clock.advance(2 * 60_000);
    await handoff.runJobs();
    expect(fake.requests.length).toBe(requestsWhilePaused);

    handoff.clock.advance(3 * 60_000);
    await settleSync(handoff);
    expect(fake.requests[requestsWhilePaused]).toMatchObject({ method: 'GET', path: '/api/3/users/me' });
    expect(tagsIn(fake, 'ada@example.com')).toEqual(['Bought Focus', 'Focus - Access']);
    expect((await handoff.api<ProblemsBody>('/api/problems')).body).toEqual({
      deadJobs: [],
      pausedConnectors: [],
      rejectedDeliveries: [],
      unmappedItems: [],
      silentSubscriptions: [],
      reconcile: null,
    });
  });

  it('resumes at once when Handoff restarts with a fixed key', async () => {
    handoff = await startHandoffWith(async (clock) => {
      fake = await startKitFake(KIT_KEY, { now: () => clock.now() });
      return crmConfig(kitEntry(fake, 'revoked-key'));
    });
    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '9002' });
    await handoff.runJobs();
    expect((await handoff.api<ProblemsBody>('/api/problems')).body.pausedConnectors).toHaveLength(1);

    await restartWithConfig(handoff, crmConfig(kitEntry(fake, KIT_KEY)));
    // The access tag goes first; the other tags follow in the next turn, queued a moment behind it.
    expect(await settleSync(handoff)).toBeLessThan(1_000);

    expect(tagsIn(fake, 'ada@example.com')).toEqual(['Bought Focus', 'Focus - Access']);
    expect((await handoff.api<ProblemsBody>('/api/problems')).body.pausedConnectors).toEqual([]);
  });

  it('dead-letters a rejected request at once with its cause, and a retry from the API pushes it', async () => {
    handoff = await startHandoffWith(async (clock) => {
      fake = await startKitFake(KIT_KEY, { now: () => clock.now() });
      return crmConfig(kitEntry(fake));
    });
    fake.replyOnce('POST', '/v4/subscribers', { status: 422, json: { errors: ['Email address is invalid'] } });
    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '9003' });
    await settleSync(handoff);

    const dead = (await handoff.api<ProblemsBody>('/api/problems')).body.deadJobs;
    expect(dead).toEqual([
      expect.objectContaining({
        kind: 'crm.sync:kit',
        lastError: expect.stringMatching(/^kit: kit POST \/v4\/subscribers → 422: .*Email address is invalid/),
      }),
    ]);
    expect(await jobsIn(handoff, 'dead')).toEqual([expect.objectContaining({ attempts: 1 })]);

    const retried = await apiPost<{ requeued: number[] }>(handoff, `/api/jobs/${dead[0]!.id}/retry`);
    expect(retried).toEqual({ status: 200, body: { requeued: [dead[0]!.id] } });
    await settleSync(handoff);

    expect(tagsIn(fake, 'ada@example.com')).toEqual(['Bought Focus', 'Focus - Access']);
    expect((await handoff.api<ProblemsBody>('/api/problems')).body.deadJobs).toEqual([]);
    expect((await apiPost(handoff, '/api/jobs/999999/retry')).status).toBe(404);
  });

  it('looks a contact deleted in the CRM up again by e-mail instead of dead-lettering the 404', async () => {
    ({ handoff, activeCampaign: fake } = await startWithActiveCampaign());
    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '9004' });
    await settleSync(handoff);
    fake.state.deleteContact(fake.state.findContactByEmail('ada@example.com')!.id);

    handoff.clock.advanceDays(1);
    await handoff.send('refund', { email: 'ada@example.com', item: 'product-12', orderId: '9004' });
    await settleSync(handoff);

    expect(tagsIn(fake, 'ada@example.com')).toEqual(['Focus - Access', 'Focus - Revoke']);
    expect(await jobsIn(handoff, 'dead')).toEqual([]);
  });
});
