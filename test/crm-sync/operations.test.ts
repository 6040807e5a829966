/** The commands a person runs: reconcile, doctor, problems and retry (through the real CLI). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { reconcileCrms } from '../../src/app/crm/reconcile.ts';
import { buildProgram } from '../../src/cli/program.ts';
import type { TestHandoff } from '../support/handoff.ts';
import { freePort } from '../reliability/support/spawned-handoff.ts';
import { TEST_ACCOUNT, TEST_SECRET } from '../support/test-config.ts';
import {
  activeCampaignEntry,
  KIT_KEY,
  kitEntry,
  settleSync,
  startWithActiveCampaignAndKit,
  tagsIn,
} from './crm-sync-harness.ts';

describe('handoff reconcile, doctor, problems and retry', () => {
  let handoff: TestHandoff;
  let activeCampaign: FakeCrmServer;
  let kit: FakeCrmServer;
  let crmYaml = '';
  const home = mkdtempSync(join(tmpdir(), 'handoff-crm-cli-'));
  const configPath = join(home, 'handoff.config.yaml');

  /** Runs `handoff <args>` in this process against the test database; returns what it printed. */
  async function cli(...args: string[]): Promise<{ output: string; exitCode: number }> {
    const printed: string[] = [];
    const log = vi.spyOn(console, 'log').mockImplementation((line: unknown) => void printed.push(String(line)));
    const error = vi.spyOn(console, 'error').mockImplementation((line: unknown) => void printed.push(String(line)));
    vi.stubEnv('DATABASE_URL', handoff.database.connectionString);
    vi.stubEnv('LOG_LEVEL', 'silent');
    try {
      const argv = ['node', 'handoff', '--config', configPath, ...args];
      await (await buildProgram(argv)).parseAsync(argv);
      return { output: printed.join('\n'), exitCode: Number(process.exitCode ?? 0) };
    } finally {
      process.exitCode = undefined;
      log.mockRestore();
      error.mockRestore();
      vi.unstubAllEnvs();
    }
  }

  beforeAll(async () => {
    ({ handoff, activeCampaign, kit, crmYaml } = await startWithActiveCampaignAndKit());
    writeFileSync(
      configPath,
      `thrivecart: { account: ${TEST_ACCOUNT}, secret: "${TEST_SECRET}" }
offerings:
  - { id: focus-course, name: Focus Course, accessTag: "Focus - Access", revokeTag: "Focus - Revoke" }
items:
  - { item: product-12, tags: ["Bought Focus"], grants: [focus-course] }
crm:
${crmYaml}
`,
    );
    await handoff.send('purchase', { email: 'ada@example.com', item: 'product-12', orderId: '4001' });
    await settleSync(handoff);
  });
  afterEach(() => vi.restoreAllMocks());
  afterAll(async () => {
    await handoff.close();
    await activeCampaign.close();
    await kit.close();
    rmSync(home, { recursive: true, force: true });
  });

  it('reconcile reports drift of managed tags only, and --fix repairs it', async () => {
    const contact = activeCampaign.state.findContactByEmail('ada@example.com')!;
    activeCampaign.state.removeTag(contact.id, activeCampaign.state.findTagByName('Focus - Access')!.id);
    activeCampaign.state.tagOutsideHandoff('ada@example.com', 'Focus - Revoke');
    activeCampaign.state.tagOutsideHandoff('ada@example.com', 'Webinar attendee');
    const sleep = async (ms: number) => handoff.clock.advance(ms);

    const report = await reconcileCrms(handoff.runtime.ctx, handoff.runtime.crm, { fix: false, sleep });
    expect(report).toMatchObject({ contacts: 1, checked: 2, errors: [] });
    expect(report.drift).toEqual([
      {
        connector: 'activecampaign',
        email: 'ada@example.com',
        notInCrm: false,
        missing: ['Focus - Access'],
        extra: ['Focus - Revoke'],
        heldInOtherCase: {},
        fixed: false,
      },
    ]);
    expect(tagsIn(activeCampaign, 'ada@example.com')).toEqual(['Bought Focus', 'Focus - Revoke', 'Webinar attendee']);

    const fixed = await reconcileCrms(handoff.runtime.ctx, handoff.runtime.crm, { fix: true, sleep });
    expect(fixed.drift).toEqual([expect.objectContaining({ connector: 'activecampaign', fixed: true })]);
    expect(tagsIn(activeCampaign, 'ada@example.com')).toEqual(['Bought Focus', 'Focus - Access', 'Webinar attendee']);
    expect((await reconcileCrms(handoff.runtime.ctx, handoff.runtime.crm, { fix: false, sleep })).drift).toEqual([]);
  });

  it('doctor says in plain words which CRM works, which refuses the key and which cannot be reached', async () => {
    // The CLI runs on the real clock; the fakes' rate windows follow the test clock, so bring it level.
    handoff.clock.set(Date.now());
    // A port just freed: nothing listens on it.
    const port = await freePort();
    writeFileSync(
      configPath,
      `thrivecart: { account: ${TEST_ACCOUNT}, secret: "${TEST_SECRET}" }
crm:
${activeCampaignEntry(activeCampaign)}
${kitEntry(kit, 'wrong-key')}
  - { provider: kit, name: kit-offline, baseUrl: "http://127.0.0.1:${port}", apiKey: "${KIT_KEY}" }
`,
    );
    const { output, exitCode } = await cli('doctor');

    expect(exitCode).toBe(1);
    expect(output).toContain(
      `OK   CRM activecampaign: activecampaign at ${activeCampaign.url} answered with the configured key: works`,
    );
    expect(output).toContain('FAIL CRM kit: the API key was refused (HTTP 401)');
    expect(output).toContain(
      `FAIL CRM kit-offline: cannot reach http://127.0.0.1:${port}: kit GET /v4/account: network failure`,
    );
  });

  it('problems lists a dead-lettered job with its cause, and retry all brings it back', async () => {
    // The CLI requeues at the real clock's now; the worker here runs on the test clock.
    handoff.clock.set(Date.now());
    kit.replyOnce('POST', '/v4/subscribers', { status: 422, json: { errors: ['Email address is invalid'] } });
    await handoff.send('purchase', { email: 'grace@example.com', item: 'product-12', orderId: '4002' });
    await settleSync(handoff);
    writeFileSync(configPath, `thrivecart: { account: ${TEST_ACCOUNT}, secret: "${TEST_SECRET}" }\ncrm:\n${crmYaml}\n`);

    const problems = await cli('problems');
    expect(problems.output).toMatch(
      /#\d+ crm\.sync:kit \d+ \(1 attempt\(s\), .*\): kit: kit POST \/v4\/subscribers → 422: .*Email address is invalid/,
    );

    const retried = await cli('retry', 'all');
    expect(retried.output).toMatch(/^Requeued 1 job\(s\): #\d+\.$/);
    await settleSync(handoff);
    expect(tagsIn(kit, 'grace@example.com')).toEqual(['Bought Focus', 'Focus - Access']);
    // No dead job is left.
    expect((await cli('jobs')).output).not.toMatch(/#\d+ crm\.sync:kit/);
  });
});
