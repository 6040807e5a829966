import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseConfig } from '../../src/config/load-config.ts';

const VALID = `
thrivecart:
  account: yourschool
  secret: \${THRIVECART_SECRET}
offerings:
  - id: focus-course
    name: Focus Course
    accessTag: "Focus - Access"
    revokeTag: "Focus - Revoke"
items:
  - item: product-12
    tags: ["Bought Focus"]
    grants: [focus-course]
`;

function problem(text: string, env: NodeJS.ProcessEnv = { THRIVECART_SECRET: 's3cret' }): string {
  try {
    parseConfig(text, 'handoff.config.yaml', env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('accepts the documented shape, substitutes ${VAR} and fills the defaults', () => {
    const config = parseConfig(VALID, 'handoff.config.yaml', { THRIVECART_SECRET: 's3cret' });
    expect(config.thrivecart).toEqual({
      account: 'yourschool',
      secret: 's3cret',
      testMode: 'ignore',
      apiUrl: 'https://thrivecart.com/api/external',
      silentAfterDays: 7,
      reconcile: { every: 86_400_000 },
    });
    expect(config.items[0]).toMatchObject({
      item: 'product-12',
      onCancel: 'end-of-period',
      onRefund: 'revoke',
      onPartialRefund: 'record',
    });
  });

  it('uses ${VAR:-fallback} when the variable is unset, and names a missing variable with its line and key', () => {
    expect(
      parseConfig(VALID.replace('${THRIVECART_SECRET}', '${THRIVECART_SECRET:-fallback}'), 'f.yaml', {}).thrivecart
        .secret,
    ).toBe('fallback');
    expect(problem(VALID, {})).toBe(
      'Invalid configuration:\nhandoff.config.yaml:4: thrivecart.secret: environment variable THRIVECART_SECRET is not set',
    );
  });

  it('names the file, the line, the path of the bad key and what was expected', () => {
    expect(problem(VALID.replace('item: product-12', 'item: product12'))).toBe(
      'Invalid configuration:\nhandoff.config.yaml:11: items[0].item: expected a ThriveCart item key such as product-12, bump-12, upsell-2 or downsell-5',
    );
    expect(
      problem(VALID.replace('    grants: [focus-course]', '    grants: [focus-course]\n    onCancel: later')),
    ).toMatch(
      /^Invalid configuration:\nhandoff\.config\.yaml:14: items\[0\]\.onCancel: .*"end-of-period"\|"immediately"/,
    );
    expect(problem(VALID.replace('  account: yourschool', '  acount: yourschool'))).toBe(
      'Invalid configuration:\nhandoff.config.yaml:3: thrivecart.account: missing; expected a string\nhandoff.config.yaml:3: thrivecart: unknown key(s) "acount" (did you mean "account"?)',
    );
  });

  it('refuses unknown offering ids, duplicate items and tags shared between offerings', () => {
    expect(problem(VALID.replace('grants: [focus-course]', 'grants: [focus]'))).toContain(
      'items[0].grants[0]: unknown offering "focus" (did you mean "focus-course"?); known offerings: focus-course',
    );
    expect(problem(`${VALID}  - item: product-12\n    grants: [focus-course]\n`)).toContain(
      'items[1].item: duplicate item "product-12"',
    );
    const shared = VALID.replace(
      'items:',
      '  - id: other\n    name: Other\n    accessTag: "Focus - Access"\n    revokeTag: "Other - Revoke"\nitems:',
    );
    expect(problem(shared)).toContain(
      'offerings[1].accessTag: tag "Focus - Access" is already used by offering "focus-course"',
    );
    expect(problem(VALID.replace('tags: ["Bought Focus"]', 'tags: ["Focus - Revoke"]'))).toContain(
      `items[0].tags[0]: tag "Focus - Revoke" is offering "focus-course"'s access or revoke tag`,
    );
  });

  it('reports YAML syntax errors with line and column', () => {
    expect(problem('thrivecart:\n  account: [unclosed\n')).toMatch(/^Invalid YAML:\nhandoff\.config\.yaml:\d+:\d+: /);
  });

  it('says which file is missing and how to create it', () => {
    const folder = mkdtempSync(join(tmpdir(), 'handoff-config-'));
    const missing = join(folder, 'handoff.config.yaml');
    try {
      expect(() => loadConfig(missing, {})).toThrow(
        `${missing}: file not found. Copy handoff.config.example.yaml to handoff.config.yaml, or pass --config / HANDOFF_CONFIG.`,
      );
      writeFileSync(missing, VALID);
      expect(loadConfig(missing, { THRIVECART_SECRET: 'x' }).offerings).toHaveLength(1);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });

  it('accepts the shipped example configuration', () => {
    expect(() => loadConfig('handoff.config.example.yaml', {})).not.toThrow();
  });
});

describe('console.timeZone', () => {
  it('accepts an IANA zone and refuses anything else with the zone that was probably meant', () => {
    const withZone = (zone: string): string => `${VALID}console:\n  timeZone: ${zone}\n`;
    expect(parseConfig(withZone('Europe/Paris'), 'f.yaml', { THRIVECART_SECRET: 's' }).console?.timeZone).toBe(
      'Europe/Paris',
    );
    expect(problem(withZone('Europe/Pari'))).toContain(
      'handoff.config.yaml:15: console.timeZone: "Europe/Pari" is not a time zone (did you mean "Europe/Paris"?)',
    );
    expect(problem(withZone('Paris'))).toContain('(did you mean "Europe/Paris"?)');
    expect(problem(withZone('"America/New York"'))).toContain('(did you mean "America/New_York"?)');
    expect(problem(withZone('Mars/Olympus'))).toContain('is not a time zone such as Europe/Paris or America/New_York');
  });
});
