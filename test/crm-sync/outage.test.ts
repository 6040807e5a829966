/**
 * Five minutes (fake clock) of a CRM failing in every way at once: 5xx outages and 429s with
 * Retry-After (ActiveCampaign) and without (Kit), while purchases and refunds keep arriving.
 * After recovery every change must have arrived, none twice, nothing dead-lettered, and neither
 * fake may ever have seen more requests than its budget in any window.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RATE_LIMITED_MODE_WAIT_SECONDS,
  type FakeCrmServer,
  type FakeMode,
  type LoggedRequest,
} from '../support/crm-fakes/fake-crm-server.ts';
import type { RateBudget } from '../../src/ports/crm-connector.ts';
import type { TestHandoff } from '../support/handoff.ts';
import { jobsIn, settleSync, startWithActiveCampaignAndKit, tagsIn } from './crm-sync-harness.ts';

const OUTAGE_MS = 5 * 60_000;
const STEP_MS = 1_000;
const CONTACTS = 12;

/** Which mode each fake is in, by second of the outage. */
const AC_SCHEDULE: [fromSecond: number, mode: FakeMode][] = [
  [0, 'outage'],
  [60, 'rate-limited'],
  [120, 'normal'],
  [150, 'outage'],
  [210, 'rate-limited'],
];
const KIT_SCHEDULE: [fromSecond: number, mode: FakeMode][] = [
  [0, 'rate-limited'],
  [90, 'outage'],
  [180, 'rate-limited'],
  [240, 'outage'],
];

interface ModeChange {
  at: number;
  mode: FakeMode;
}

const emailOf = (index: number) => `buyer${index}@example.com`;
/** Buyer `index`'s order: what ThriveCart sends for its purchase, and again for its refund. */
const orderOf = (index: number) => ({
  email: emailOf(index),
  item: 'product-12',
  orderId: String(8000 + index),
  firstName: `Buyer${index}`,
  lastName: 'Test',
});

function modeAt(changes: readonly ModeChange[], at: number): FakeMode {
  return changes.filter((change) => change.at <= at).at(-1)?.mode ?? 'normal';
}

/** The most requests the fake saw in any window of the budget's length. */
function busiestWindow(requests: readonly LoggedRequest[], budget: RateBudget): number {
  const times = requests.map((request) => request.at).sort((a, b) => a - b);
  let busiest = 0;
  for (const at of new Set(times))
    busiest = Math.max(busiest, times.filter((other) => other > at - budget.perMs && other <= at).length);
  return busiest;
}

describe('a 5-minute CRM outage with mixed 429s and 5xx', () => {
  let handoff: TestHandoff;
  let activeCampaign: FakeCrmServer;
  let kit: FakeCrmServer;
  const acModes: ModeChange[] = [];
  const kitModes: ModeChange[] = [];
  let recoveredAfterMs = 0;

  beforeAll(async () => {
    ({ handoff, activeCampaign, kit } = await startWithActiveCampaignAndKit());
    for (let elapsed = 0; elapsed < OUTAGE_MS; elapsed += STEP_MS) {
      const second = elapsed / 1000;
      for (const [fake, schedule, changes] of [
        [activeCampaign, AC_SCHEDULE, acModes],
        [kit, KIT_SCHEDULE, kitModes],
      ] as const) {
        const entry = schedule.find(([from]) => from === second);
        if (entry) {
          fake.setMode(entry[1]);
          changes.push({ at: handoff.clock.now(), mode: entry[1] });
        }
      }
      // A purchase every 10 s; every third buyer is refunded 100 s later.
      if (second % 10 === 0 && second / 10 < CONTACTS) {
        await handoff.send('purchase', orderOf(second / 10));
      }
      if (second % 10 === 0 && second >= 100 && (second - 100) / 10 < CONTACTS && ((second - 100) / 10) % 3 === 0) {
        await handoff.send('refund', orderOf((second - 100) / 10));
      }
      await handoff.runJobs();
      handoff.clock.advance(STEP_MS);
    }
    for (const [fake, changes] of [
      [activeCampaign, acModes],
      [kit, kitModes],
    ] as const) {
      fake.setMode('normal');
      changes.push({ at: handoff.clock.now(), mode: 'normal' });
    }
    recoveredAfterMs = await settleSync(handoff);
  }, 180_000);
  afterAll(async () => {
    await handoff.close();
    await activeCampaign.close();
    await kit.close();
  });

  it('delivers every change to both CRMs within 10 minutes of recovery, and dead-letters nothing', async () => {
    for (let index = 0; index < CONTACTS; index += 1) {
      const refunded = index % 3 === 0;
      const expected = refunded ? ['Focus - Access', 'Focus - Revoke'] : ['Bought Focus', 'Focus - Access'];
      expect(tagsIn(activeCampaign, emailOf(index)), emailOf(index)).toEqual(expected);
      expect(tagsIn(kit, emailOf(index)), emailOf(index)).toEqual(expected);
    }
    expect(await jobsIn(handoff, 'dead')).toEqual([]);
    expect(await jobsIn(handoff, 'pending')).toEqual([]);
    expect(recoveredAfterMs).toBeLessThanOrEqual(10 * 60_000);
  });

  it('never sends one change twice', () => {
    const reachedKit = kit.requests.filter((request) => modeAt(kitModes, request.at) === 'normal');
    const kitTaggings = reachedKit.filter((request) => /^\/v4\/tags\/\d+\/subscribers\/\d+$/.test(request.path));
    const perTagging = new Map<string, number>();
    for (const request of kitTaggings)
      perTagging.set(
        `${request.method} ${request.path}`,
        (perTagging.get(`${request.method} ${request.path}`) ?? 0) + 1,
      );
    // At least 2 tags per buyer; how many refunds coalesced with their purchase depends on the outage.
    expect(perTagging.size).toBeGreaterThanOrEqual(CONTACTS * 2);
    expect([...perTagging.values()].every((count) => count === 1)).toBe(true);
    expect(
      reachedKit.filter((request) => request.method === 'POST' && request.path === '/v4/subscribers'),
    ).toHaveLength(CONTACTS);

    const reachedAc = activeCampaign.requests.filter((request) => modeAt(acModes, request.at) === 'normal');
    const applied = reachedAc.filter((request) => request.method === 'POST' && request.path === '/api/3/contactTags');
    const removed = reachedAc.filter(
      (request) => request.method === 'DELETE' && request.path.startsWith('/api/3/contactTags/'),
    );
    // The fake answers a repeated apply with 422 and creates nothing, so one POST per association means none was repeated.
    expect(applied).toHaveLength(activeCampaign.state.associations.size + removed.length);
    expect(new Set(removed.map((request) => request.path)).size).toBe(removed.length);
    expect(reachedAc.filter((request) => request.path === '/api/3/contact/sync')).toHaveLength(CONTACTS);
  });

  it("never exceeds either CRM's budget in any window", () => {
    expect(busiestWindow(activeCampaign.requests, { requests: 5, perMs: 1_000 })).toBeLessThanOrEqual(5);
    expect(busiestWindow(kit.requests, { requests: 120, perMs: 60_000 })).toBeLessThanOrEqual(120);
  });

  it('sends nothing to ActiveCampaign before its Retry-After has passed', () => {
    const throttled = activeCampaign.requests.filter((request) => modeAt(acModes, request.at) === 'rate-limited');
    expect(throttled.length).toBeGreaterThan(0);
    for (const refusal of throttled) {
      const tooSoon = activeCampaign.requests.filter(
        (request) => request.at > refusal.at && request.at < refusal.at + RATE_LIMITED_MODE_WAIT_SECONDS * 1000,
      );
      expect(tooSoon).toEqual([]);
    }
  });
});
