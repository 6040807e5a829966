import { execFile } from 'node:child_process';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CARD_UPDATE_URL,
  dunningConfigYaml,
  sendMembership,
  startDunningHarness,
  type DunningHarness,
} from './dunning-harness.ts';

const run = promisify(execFile);
const HANDOFF = join(import.meta.dirname, '../../bin/handoff.js');

/** Runs `handoff <args>` as a person would; never throws, so failures can be asserted on. */
async function handoff(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [HANDOFF, ...args], {
      env: { ...process.env, LOG_LEVEL: 'silent', ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('the command line', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'handoff-dunning-cli-'));
  });
  afterAll(() => rm(folder, { recursive: true, force: true }));

  describe('handoff mail preview', () => {
    it('renders a template with sample data: subject, text and HTML', async () => {
      const config = join(folder, 'preview.yaml');
      await writeFile(config, dunningConfigYaml('smtp://127.0.0.1:2525'));
      const preview = await handoff(['--config', config, 'mail', 'preview', 'dunning-reminder']);

      expect(preview.code).toBe(0);
      expect(preview.stdout).toContain("Subject: Your payment for Focus Community (monthly) didn't go through");
      expect(preview.stdout).toContain('Hi Ada,');
      expect(preview.stdout).toContain('$47.00');
      expect(preview.stdout).toContain(`<a href="${CARD_UPDATE_URL}"`);
    });

    it('uses a file from mail.templatesDir, falls back to the shipped one for the others, and names unknown variables', async () => {
      const templates = join(folder, 'my-templates');
      await mkdir(templates, { recursive: true });
      await writeFile(join(templates, 'dunning-reminder.subject.txt'), 'Action needed for {{productName}}\n');
      const config = join(folder, 'custom.yaml');
      await writeFile(config, dunningConfigYaml('smtp://127.0.0.1:2525', `  templatesDir: ${templates}`));

      const custom = await handoff(['--config', config, 'mail', 'preview', 'dunning-reminder']);
      expect(custom.stdout).toContain('Subject: Action needed for Focus Community (monthly)');
      expect(custom.stdout).toContain('Please update your card here');

      await writeFile(join(templates, 'dunning-reminder.txt'), 'Hi {{frstName}}\n');
      const typo = await handoff(['--config', config, 'mail', 'preview', 'dunning-reminder']);
      expect(typo.code).toBe(1);
      expect(typo.stderr).toContain('dunning-reminder.txt: unknown variable(s) {{frstName}}');
    });
  });

  describe('handoff dunning', () => {
    let harness: DunningHarness;
    beforeAll(async () => {
      harness = await startDunningHarness();
      await sendMembership(harness.handoff, 'purchase', 'ivy@example.com', '7701');
      harness.handoff.clock.advanceDays(30);
      await sendMembership(harness.handoff, 'failed', 'ivy@example.com', '7701');
      await harness.handoff.runJobs();
    });
    afterAll(() => harness.close());

    it('lists open cases: who, what, since when, next step and when access ends', async () => {
      const config = join(folder, 'listing.yaml');
      await writeFile(config, dunningConfigYaml(harness.smtp.url));
      const listing = await handoff(['--config', config, 'dunning'], {
        DATABASE_URL: harness.handoff.database.connectionString,
      });

      expect(listing.code).toBe(0);
      expect(listing.stdout).toContain('1 open dunning case');
      expect(listing.stdout).toContain(
        'ivy@example.com (Ada Lovelace): Course 40 & Community (product-40, order 7701), $47.00 due',
      );
      expect(listing.stdout).toContain('failing since 2026-12-02 09:00, 1 failed attempt');
      expect(listing.stdout).toContain('next: reminder-2 on 2026-12-05 09:00; access ends 2026-12-16 09:00');
      expect(listing.stdout).toContain('e-mail reminder-1: sent');
    });
  });
});
