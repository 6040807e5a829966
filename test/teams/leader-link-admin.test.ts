/**
 * The leader's link is "e-mailed to them at purchase (and available to the admin)": the admin API
 * and `handoff contact <leader>` give the link the leader was sent, and it opens the team page.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { moveLeader } from '../../src/app/teams/teams.ts';
import { listTeams } from '../../src/app/teams/team-views.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { PUBLIC_URL, startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { runCli } from '../support/run-cli.ts';
import { TEST_SECRET } from '../support/test-config.ts';
import { buyTeamPlanAsAda, TEAM_ITEMS_YAML, teamConfig, teamConfigYaml } from './teams-harness.ts';

describe("the leader's link for the admin", () => {
  let handoff: TestHandoff;
  let home: string | undefined;
  const secretKey = randomBytes(32);
  afterEach(async () => {
    await handoff.close();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  async function openTeam(): Promise<number> {
    handoff = await startTestHandoff({ config: teamConfig(), clock: new FakeClock(Date.now()), secretKey });
    await buyTeamPlanAsAda(handoff);
    return (await listTeams(handoff.runtime.ctx, { leaderEmail: 'ada@example.com' }))[0]!.id;
  }

  const pageStatus = async (url: string): Promise<number> =>
    (await handoff.server.inject({ method: 'GET', url: new URL(url).pathname })).statusCode;

  it('GET /api/teams/{id}/leader-link answers the current link, admin token only', async () => {
    const teamId = await openTeam();
    const first = await handoff.api<{ teamId: number; leader: string; url: string }>(
      `/api/teams/${teamId}/leader-link`,
    );
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ teamId, leader: 'ada@example.com' });
    expect(first.body.url.startsWith(`${PUBLIC_URL}/team/`)).toBe(true);
    expect(await pageStatus(first.body.url)).toBe(200);

    const anonymous = await handoff.server.inject({ method: 'GET', url: `/api/teams/${teamId}/leader-link` });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.body).not.toContain('/team/');
    expect((await handoff.api(`/api/teams/${teamId + 1}/leader-link`)).status).toBe(404);

    await moveLeader(handoff.runtime.ctx, teamId, 'bob@example.com', { kind: 'admin', name: 'Jo' });
    const moved = await handoff.api<{ leader: string; url: string }>(`/api/teams/${teamId}/leader-link`);
    expect(moved.body.leader).toBe('bob@example.com');
    expect(await pageStatus(moved.body.url)).toBe(200);
    expect(await pageStatus(first.body.url)).toBe(404);
  });

  it("`handoff contact <leader>` prints the leader's link", async () => {
    const teamId = await openTeam();
    home = mkdtempSync(join(tmpdir(), 'handoff-teams-'));
    const configPath = join(home, 'handoff.config.yaml');
    writeFileSync(configPath, teamConfigYaml('', TEAM_ITEMS_YAML, '${THRIVECART_SECRET}'));
    const env = {
      ...process.env,
      DATABASE_URL: handoff.database.connectionString,
      THRIVECART_SECRET: TEST_SECRET,
      HANDOFF_SECRET_KEY: secretKey.toString('base64'),
      HANDOFF_PUBLIC_URL: PUBLIC_URL,
      LOG_LEVEL: 'warn',
    };
    const printed = await runCli(['contact', 'ada@example.com', '--config', configPath], env);
    const link = printed.stdout.match(/leader's link: (\S+)/)?.[1];
    expect(link).toBeDefined();
    expect(await pageStatus(link!)).toBe(200);
    const asJson = await runCli(['contact', 'ada@example.com', '--json', '--config', configPath], env);
    const leads = (JSON.parse(asJson.stdout) as { teams: { leads: { id: number; leaderLink: string }[] } }).teams.leads;
    expect(leads).toEqual([expect.objectContaining({ id: teamId, leaderLink: link })]);
  }, 120_000);
});
