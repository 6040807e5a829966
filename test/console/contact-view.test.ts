import { describe, expect, it } from 'vitest';
import type { ContactCrmStatus } from '../../src/adapters/store/crm-sync-status.ts';
import type { ContactJob } from '../../src/adapters/store/job-health.ts';
import { accessAllyUserState, crmSyncState, groupTagsByReason } from '../../src/http/console/views/contact-view.ts';

const tag = (name: string, why: string, since: string, deliveryId: number | null = 1) => ({
  name,
  why,
  since,
  deliveryId,
});
const synced: ContactCrmStatus = {
  connector: 'ac',
  remoteId: '7',
  knownTags: ['B', 'A'],
  syncedAt: 1,
  lastError: null,
  pending: false,
};
const job = (state: ContactJob['state'], lastError: string | null = null): ContactJob => ({
  id: 42,
  kind: 'crm.sync:ac',
  state,
  attempts: 3,
  lastError,
  updatedAt: 0,
});

describe('the contact page, decided before it is drawn', () => {
  it('says a reason once for the tags it gave, in the order reasons first applied', () => {
    const groups = groupTagsByReason([
      tag('Focus - Access', 'Purchased Focus (order 1)', '2026-11-02T09:00:00.000Z'),
      tag('Bought Focus', 'Purchased Focus (order 1)', '2026-11-02T09:00:00.000Z'),
      tag('Payment Failed', 'Payment failing (order 2)', '2026-11-03T09:00:00.000Z', 2),
      tag('VIP', 'Purchased Focus (order 1)', '2026-11-01T09:00:00.000Z', 9),
    ]);
    expect(groups.map((group) => [group.names, group.why])).toEqual([
      [['VIP'], 'Purchased Focus (order 1)'],
      [['Focus - Access', 'Bought Focus'], 'Purchased Focus (order 1)'],
      [['Payment Failed'], 'Payment failing (order 2)'],
    ]);
  });

  it('calls a CRM in sync only when nothing waits and its tags match; a sync that gave up is failed, with Retry', () => {
    expect(crmSyncState(synced, ['A', 'B'], [])).toMatchObject({ label: 'in sync', tone: 'ok' });
    expect(crmSyncState(synced, ['A'], [])).toMatchObject({ label: 'pending', tone: 'warn' });
    expect(crmSyncState(synced, ['A', 'B'], [job('pending')])).toMatchObject({ label: 'pending' });
    expect(crmSyncState({ ...synced, lastError: 'HTTP 503' }, ['A', 'B'], [])).toMatchObject({
      label: 'retrying',
      detail: 'HTTP 503',
    });
    expect(crmSyncState(synced, ['A', 'B'], [job('dead', 'HTTP 422')])).toEqual({
      label: 'failed',
      tone: 'bad',
      detail: 'HTTP 422',
      retryJobId: 42,
    });
    expect(crmSyncState(undefined, ['A'], [])).toMatchObject({ label: 'not pushed yet' });
  });

  it("says whether AccessAlly has the person's user, and whether it was told at all", () => {
    expect(accessAllyUserState({ user: 'created', lastCall: null }).label).toBe('user created by Handoff');
    expect(accessAllyUserState({ user: 'creating', lastCall: null }).tone).toBe('bad');
    expect(accessAllyUserState({ user: null, lastCall: null }).label).toBe('not told yet');
    expect(accessAllyUserState({ user: null, lastCall: { call: 'update', at: 1 } }).label).toBe('told of the tags');
  });
});
