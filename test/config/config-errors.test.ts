/** Configuration mistakes are said in plain words, on their line, with the fix (issue 13). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { runCli } from '../support/run-cli.ts';

const FILE = 'handoff.config.yaml';
const HEAD = 'thrivecart: { account: focusschool, secret: word }\n';

function problemOf(text: string): string {
  try {
    parseConfig(text, FILE, {});
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
}

describe('configuration errors', () => {
  it('says what is wrong with the YAML on its line, shows the line and the fix', () => {
    expect(problemOf('thrivecart:\n\taccount: focusschool\n')).toBe(
      `Invalid YAML:\n${FILE}:2:1: this line is indented with a tab; YAML needs spaces. Fix: replace the tab with spaces (2 per level). [Tabs are not allowed as indentation]\n  2 | →account: focusschool`,
    );
    expect(problemOf('thrivecart:\n  account: a\n  account: b\n')).toMatch(
      new RegExp(
        `^Invalid YAML:\\n${FILE}:3:3: this key is written twice in the same group\\. Fix: keep one of them\\.`,
      ),
    );
  });

  it('suggests the key meant for an unknown key, at any depth', () => {
    expect(problemOf(`${HEAD}offering: []\n`)).toBe(
      `Invalid configuration:\n${FILE}:1: (top level): unknown key(s) "offering" (did you mean "offerings"?)`,
    );
    expect(problemOf(`${HEAD}items:\n  - { item: product-1, grants: [], onRefnud: record }\n`)).toBe(
      `Invalid configuration:\n${FILE}:3: items[0]: unknown key(s) "onRefnud" (did you mean "onRefund"?)`,
    );
    expect(problemOf(`${HEAD}crm:\n  - { provider: kit, apiKey: k, apikey: j }\n`)).toContain(
      'crm[0]: unknown key(s) "apikey" (did you mean "apiKey"?)',
    );
    // Nothing close: no guess.
    expect(problemOf(`${HEAD}zebra: 1\n`)).toBe(
      `Invalid configuration:\n${FILE}:1: (top level): unknown key(s) "zebra"`,
    );
  });

  it('suggests the offering or policy meant for an unknown id', () => {
    const text = `${HEAD}offerings:\n  - { id: focus-course, name: Focus, accessTag: a, revokeTag: b }\ndunning:\n  gentle: {}\nitems:\n  - { item: product-1, grants: [focus-corse], dunning: gentel }\n`;
    const problem = problemOf(text);
    expect(problem).toContain(
      'items[0].grants[0]: unknown offering "focus-corse" (did you mean "focus-course"?); known offerings: focus-course',
    );
    expect(problem).toContain(
      'items[0].dunning: unknown dunning policy "gentel" (did you mean "gentle"?); known policies: gentle, or none',
    );
  });

  it('refuses a reminder on or after the end of the grace period, which would never be sent', () => {
    expect(problemOf(`${HEAD}dunning:\n  default:\n    reminders: [0, 3, 14]\n    graceDays: 14\n`)).toBe(
      `Invalid configuration:\n${FILE}:4: dunning.default.reminders[2]: a reminder on day 14 falls on or after the end of the 14-day grace period, so it would never be sent; use days below 14, or raise graceDays`,
    );
    expect(() =>
      parseConfig(`${HEAD}dunning:\n  default:\n    reminders: [0, 3, 13]\n    graceDays: 14\n`, FILE, {}),
    ).not.toThrow();
  });
});

describe('a .env file next to the configuration', { timeout: 60_000 }, () => {
  const folder = mkdtempSync(join(tmpdir(), 'handoff-dotenv-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));
  const { THRIVECART_SECRET: _secret, HANDOFF_CONFIG: _config, ...baseEnv } = process.env;

  it('supplies the variables the configuration names, and the environment wins over it', async () => {
    const config = join(folder, 'handoff.config.yaml');
    writeFileSync(config, 'thrivecart:\n  account: ${THRIVECART_ACCOUNT}\n  secret: ${THRIVECART_SECRET}\n');
    const without = await runCli(['check-config', '--config', config], baseEnv);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain('environment variable THRIVECART_SECRET is not set');

    writeFileSync(
      join(folder, '.env'),
      '# secrets stay out of the config file\nTHRIVECART_SECRET="from the dotenv file"\nTHRIVECART_ACCOUNT=dotenvschool\n',
    );
    const withFile = await runCli(['check-config', '--config', config], baseEnv);
    expect(withFile.stderr).toBe('');
    expect(withFile.stdout).toContain('ThriveCart account "dotenvschool"');
    const overridden = await runCli(['check-config', '--config', config], {
      ...baseEnv,
      THRIVECART_ACCOUNT: 'shellschool',
    });
    expect(overridden.stdout).toContain('ThriveCart account "shellschool"');
  });
});
