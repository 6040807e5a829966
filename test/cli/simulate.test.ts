/** `handoff simulate` never reaches real systems by surprise, and never invents a name (issue 13). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { testConfigYaml } from '../support/test-config.ts';
import { startReceiver, type Receiver } from '../webhooks/receiver.ts';

describe('handoff simulate', { timeout: 90_000 }, () => {
  const folder = mkdtempSync(join(tmpdir(), 'handoff-simulate-'));
  const config = join(folder, 'handoff.config.yaml');
  const { HANDOFF_CONFIG: _config, ...baseEnv } = process.env;
  let intake: Receiver;
  beforeAll(async () => {
    // Stands in for Handoff's webhook URL: it records what simulate posts.
    intake = await startReceiver(() => ({ status: 200, body: '{"status":"applied"}' }));
    writeFileSync(config, testConfigYaml(undefined, 'crm:\n  - { provider: kit, apiKey: "kit-key" }\n'));
  });
  afterAll(async () => {
    await intake.close();
    rmSync(folder, { recursive: true, force: true });
  });

  it('sends nothing without --live when the configuration reaches a real CRM, and says what it would reach', async () => {
    const result = await runCli(
      ['simulate', 'purchase', '--email', 'ada@example.com', '--config', config, '--url', intake.url],
      baseEnv,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'a simulated delivery would reach:\n  - the CRM "kit" (kit)\nNothing was sent. Run again with --live',
    );
    expect(intake.received).toEqual([]);
  });

  it('with --live says what it reaches, marks the delivery as simulated and sends no made-up name', async () => {
    const result = await runCli(
      ['simulate', 'purchase', '--email', 'ada@example.com', '--live', '--config', config, '--url', intake.url],
      baseEnv,
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('--live: this simulated delivery will reach:\n  - the CRM "kit" (kit)');
    expect(intake.received).toHaveLength(1);
    const body = new URLSearchParams(intake.received[0]!.body);
    expect(body.get('handoff_simulated')).toBe('1');
    expect(body.get('customer[first_name]')).toBe('');
    expect(body.get('customer[last_name]')).toBe('');
  });
});
