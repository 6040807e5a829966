/**
 * Reconcile and tag names in other letter case: an account that already held "focus - access"
 * before Handoff applied "Focus - Access". ActiveCampaign holds one tag per name whatever its case
 * (docs/crm-apis.md), so there is no drift to report; Ontraport does not document it, so the fake
 * runs both readings and reconcile must be right under each.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { reconcileCrms } from '../../src/app/crm/reconcile.ts';
import { startActiveCampaignFake } from '../support/crm-fakes/activecampaign.ts';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { startOntraportFake } from '../support/crm-fakes/ontraport.ts';
import type { TestHandoff } from '../support/handoff.ts';
import { AC_TOKEN, activeCampaignEntry, crmConfig, settleSync, startHandoffWith } from './crm-sync-harness.ts';

const ONTRAPORT_APP_ID = '2_12345_AbCdEf';
const ONTRAPORT_KEY = 'ontraport-key-0123456789';

interface Case {
  name: string;
  start(now: () => number): Promise<FakeCrmServer>;
  entry(fake: FakeCrmServer): string;
}

const activeCampaign: Case = {
  name: 'activecampaign',
  start: (now) => startActiveCampaignFake(AC_TOKEN, { now }),
  entry: (fake) => activeCampaignEntry(fake),
};
const ontraport = (tagNameMatch: 'case-insensitive' | 'exact'): Case => ({
  name: `ontraport (tagByName matching ${tagNameMatch})`,
  start: (now) => startOntraportFake(ONTRAPORT_APP_ID, ONTRAPORT_KEY, { now, tagNameMatch }),
  entry: (fake) =>
    `  - { provider: ontraport, baseUrl: "${fake.url}", appId: "${ONTRAPORT_APP_ID}", apiKey: "${ONTRAPORT_KEY}" }`,
});

const CONFIGURED = 'Focus - Access';
const HELD_BEFORE = 'focus - access';

describe('reconcile with a tag held in other letter case', () => {
  let handoff: TestHandoff;
  let fake: FakeCrmServer;

  async function start(which: Case): Promise<void> {
    handoff = await startHandoffWith(async (clock) => {
      fake = await which.start(() => clock.now());
      return crmConfig(which.entry(fake));
    });
    // Someone else's contact already carries the tag, spelled in lower case, from before Handoff.
    fake.state.upsertContact('grace@example.com', null, null);
    fake.state.tagOutsideHandoff('grace@example.com', HELD_BEFORE);
    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12' });
    await settleSync(handoff);
  }

  const reconcile = (fix: boolean) =>
    reconcileCrms(handoff.runtime.ctx, handoff.runtime.crm, { fix, sleep: async (ms) => handoff.clock.advance(ms) });
  const heldByAda = () => fake.state.tagNamesOf(fake.state.findContactByEmail('ada@example.com')!.id).sort();

  afterEach(async () => {
    await handoff.close();
    await fake.close();
  });

  it('activecampaign: the tag held as "focus - access" is the configured one, so there is no drift', async () => {
    await start(activeCampaign);
    expect(heldByAda()).toEqual(['Bought Focus', HELD_BEFORE]);

    expect((await reconcile(false)).drift).toEqual([]);
  });

  it('ontraport matching names ignoring case: reported as a question, answered by --fix, then no drift', async () => {
    await start(ontraport('case-insensitive'));
    expect(heldByAda()).toEqual(['Bought Focus', HELD_BEFORE]);

    expect((await reconcile(false)).drift).toEqual([
      expect.objectContaining({ missing: [CONFIGURED], extra: [], heldInOtherCase: { [CONFIGURED]: HELD_BEFORE } }),
    ]);
    expect((await reconcile(true)).drift).toEqual([]);
    expect(heldByAda()).toEqual(['Bought Focus', HELD_BEFORE]);
  });

  it('ontraport matching names exactly: a tag in other case on the person is not the configured one, and --fix applies it', async () => {
    await start(ontraport('exact'));
    expect(heldByAda()).toEqual(['Bought Focus', CONFIGURED]);
    expect((await reconcile(false)).drift).toEqual([]);
    // Someone swaps Handoff's tag for the lower-case one by hand: the configured tag is really missing.
    const ada = fake.state.findContactByEmail('ada@example.com')!;
    fake.state.removeTag(ada.id, fake.state.findTagByName(CONFIGURED)!.id);
    fake.state.tagOutsideHandoff('ada@example.com', HELD_BEFORE);

    expect((await reconcile(true)).drift).toEqual([
      expect.objectContaining({ missing: [CONFIGURED], heldInOtherCase: {}, fixed: true }),
    ]);
    expect(heldByAda()).toEqual(['Bought Focus', CONFIGURED, HELD_BEFORE]);
    expect((await reconcile(false)).drift).toEqual([]);
  });
});
