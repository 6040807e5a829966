/**
 * Pools and members survive what rebuilds the ledger (handoff replay, a configuration that makes
 * an item a team item later), an erased member frees their seat, and `handoff contact` explains.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { replayLedger } from '../../src/app/ledger/replay-ledger.ts';
import { eraseContact, exportContact } from '../../src/app/contacts/contact-data-rights.ts';
import { addMember } from '../../src/app/teams/teams.ts';
import { getTeam, listTeams } from '../../src/app/teams/team-views.ts';
import { restartWithConfig } from '../crm-sync/crm-sync-harness.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { runCli } from '../support/run-cli.ts';
import { TEST_SECRET } from '../support/test-config.ts';
import { accessOf, ledgerTags, TEAM_ITEMS_YAML, teamConfig, teamConfigYaml } from './teams-harness.ts';

const ADMIN = { kind: 'admin', name: 'Jo' } as const;
const NOT_A_TEAM_YET = `
  - { item: product-50, grants: [inner-circle], onCancel: end-of-period, dunning: default }`;

describe('teams across replay and erasure', () => {
  let handoff: TestHandoff;
  let home: string | undefined;
  afterEach(async () => {
    await handoff?.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it('opens the pool of an item made a team item later, and keeps its members through replays that rebuild every ledger', async () => {
    handoff = await startTestHandoff({ config: teamConfig('', NOT_A_TEAM_YET) });
    const ctx = handoff.runtime.ctx;
    await handoff.send('purchase', {
      email: 'ada@example.com',
      item: 'product-50',
      recurring: true,
      orderId: '9901',
    });
    expect(await listTeams(ctx)).toEqual([]);

    await restartWithConfig(handoff, teamConfig());
    await replayLedger(handoff.runtime.ctx, { dryRun: false });
    const [team] = await listTeams(handoff.runtime.ctx, { leaderEmail: 'ada@example.com' });
    expect(team).toMatchObject({ orderId: '9901', item: 'product-50', seats: 2 });

    await addMember(handoff.runtime.ctx, team!.id, 'bob@example.com', ADMIN);
    const before = await accessOf(handoff, 'bob@example.com');
    expect(before).toMatchObject({ granted: true });

    // Every stored ledger thrown away: the replay folds them all again from the deliveries, and
    // the member (a hand action, with no delivery of their own) gets the team's access back.
    await handoff.runtime.ctx.pool.query(`update contacts set ledger = '{}'`);
    const report = await replayLedger(handoff.runtime.ctx, { dryRun: false });
    expect(report.changed.map((change) => change.email).sort()).toEqual(['ada@example.com', 'bob@example.com']);
    expect(await accessOf(handoff, 'bob@example.com')).toEqual(before);
    expect(await ledgerTags(handoff, 'bob@example.com')).toEqual(['Inner Circle - Access', 'team-9901-product-50']);
    const replayed = await listTeams(handoff.runtime.ctx);
    expect(replayed.map((pool) => ({ id: pool.id, members: pool.members.map((member) => member.email) }))).toEqual([
      { id: team!.id, members: ['bob@example.com'] },
    ]);

    // A replay that changes nothing reports nothing.
    expect((await replayLedger(handoff.runtime.ctx, { dryRun: false })).changed).toEqual([]);

    // The payer's renewal after the replay still reaches the member (their timer and re-fold).
    handoff.clock.advanceDays(31);
    await handoff.send('failed', { email: 'ada@example.com', item: 'product-50', orderId: '9901' });
    expect(await accessOf(handoff, 'bob@example.com')).toMatchObject({ granted: true, until: expect.any(String) });
  });

  it('frees the seat of an erased member, and `handoff contact` shows teams led and seats held', async () => {
    handoff = await startTestHandoff({ config: teamConfig(), clock: new FakeClock(Date.now()) });
    const ctx = handoff.runtime.ctx;
    await handoff.send('purchase', {
      email: 'ada@example.com',
      firstName: 'Ada',
      lastName: 'Lovelace',
      item: 'product-50',
      orderId: '9903',
    });
    const [team] = await listTeams(ctx, { leaderEmail: 'ada@example.com' });
    await addMember(ctx, team!.id, 'bob@example.com', ADMIN);
    await addMember(ctx, team!.id, 'cy@example.com', ADMIN);

    home = mkdtempSync(join(tmpdir(), 'handoff-teams-'));
    const configPath = join(home, 'handoff.config.yaml');
    writeFileSync(configPath, teamConfigYaml('', TEAM_ITEMS_YAML, '${THRIVECART_SECRET}'));
    const contact = (email: string) =>
      runCli(['contact', email, '--config', configPath], {
        ...process.env,
        DATABASE_URL: handoff.database.connectionString,
        THRIVECART_SECRET: TEST_SECRET,
        LOG_LEVEL: 'warn',
      });
    const leader = await contact('ada@example.com');
    expect(leader.stdout).toMatch(
      new RegExp(
        `Teams led\\n  #${team!.id} Ada Lovelace's team \\(.*order 9903\\): 2 of 2 seats used; members get access while: Purchased `,
      ),
    );
    expect(leader.stdout).toContain('    bob@example.com (since');
    const member = await contact('cy@example.com');
    expect(member.stdout).toMatch(/GRANTED Inner Circle: Member of Ada Lovelace's team \(.*order 9903\) since /);
    expect(member.stdout).toMatch(
      new RegExp(`Seats in teams\\n  #${team!.id} Ada Lovelace's team .*\\(tag team-9903-product-50\\)`),
    );
    expect(member.stdout).toMatch(/Joined Ada Lovelace's team .*\[\+team-9903-product-50, \+Inner Circle - Access\]/);

    // The person's data export says which seat they hold.
    expect((await exportContact(ctx, 'bob@example.com'))!.teams!.memberOf).toEqual([
      expect.objectContaining({ team: expect.objectContaining({ id: team!.id }), leftAt: null }),
    ]);
    await eraseContact(ctx, 'bob@example.com', 'Jo');
    expect(await getTeam(ctx, team!.id)).toMatchObject({
      seatsUsed: 1,
      members: [expect.objectContaining({ email: 'cy@example.com' })],
    });
    await addMember(ctx, team!.id, 'dee@example.com', ADMIN);
    expect(await accessOf(handoff, 'dee@example.com')).toMatchObject({ granted: true });
  }, 120_000);
});
