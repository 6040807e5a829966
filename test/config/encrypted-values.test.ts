import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SecretBox } from '../../src/adapters/crypto/secret-box.ts';
import { encryptConfigValue } from '../../src/config/encrypted-value.ts';
import {
  ConfigError,
  loadConfig,
  loadConfigWithSecrets,
  parseConfigWithSecrets,
} from '../../src/config/load-config.ts';

const KEY = randomBytes(32);
const KEY_BASE64 = KEY.toString('base64');
const KIT_KEY = 'kit-plaintext-key-0123456789';
const THRIVECART_SECRET = 'thrivecart secret word';

function configYaml(kitApiKey: string, thrivecartSecret = `"${encryptConfigValue(THRIVECART_SECRET, KEY)}"`): string {
  return `thrivecart:
  account: school
  secret: ${thrivecartSecret}
crm:
  - provider: kit
    apiKey: ${kitApiKey}
`;
}

const folders: string[] = [];
afterAll(() => {
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

function writeConfig(text: string): string {
  const folder = mkdtempSync(join(tmpdir(), 'handoff-encrypted-'));
  folders.push(folder);
  const path = join(folder, 'handoff.config.yaml');
  writeFileSync(path, text);
  return path;
}

/** The ConfigError a file fails with; it must never contain a secret, the key or the encrypted value. */
function failure(path: string, env: NodeJS.ProcessEnv, encryptedValue: string): string {
  let message = '';
  try {
    loadConfig(path, env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    message = (error as Error).message;
  }
  expect(message).not.toBe('');
  for (const leak of [KIT_KEY, THRIVECART_SECRET, KEY_BASE64, encryptedValue, encryptedValue.slice('enc:'.length)])
    expect(message).not.toContain(leak);
  return message;
}

describe('encrypted values in the configuration file', () => {
  it('are decrypted when the file is loaded, with HANDOFF_SECRET_KEY from the environment; the file holds no plaintext', () => {
    const encrypted = encryptConfigValue(KIT_KEY, KEY);
    expect(encrypted).toMatch(/^enc:v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    const path = writeConfig(configYaml(`"${encrypted}"`));
    const config = loadConfig(path, { HANDOFF_SECRET_KEY: KEY_BASE64 });
    expect(config.crm[0]).toMatchObject({ provider: 'kit', apiKey: KIT_KEY });
    expect(config.thrivecart.secret).toBe(THRIVECART_SECRET);
    const onDisk = readFileSync(path, 'utf8');
    expect(onDisk).not.toContain(KIT_KEY);
    expect(onDisk).not.toContain(THRIVECART_SECRET);
  });

  it('may also be written unquoted, or held by an environment variable', () => {
    const encrypted = encryptConfigValue(KIT_KEY, KEY);
    expect(loadConfig(writeConfig(configYaml(encrypted)), { HANDOFF_SECRET_KEY: KEY_BASE64 }).crm[0]).toMatchObject({
      apiKey: KIT_KEY,
    });
    const fromVariable = loadConfig(writeConfig(configYaml('${KIT_API_KEY}')), {
      HANDOFF_SECRET_KEY: KEY_BASE64,
      KIT_API_KEY: encrypted,
    });
    expect(fromVariable.crm[0]).toMatchObject({ apiKey: KIT_KEY });
  });

  it('refuse to load without HANDOFF_SECRET_KEY, naming the file, the line, the key path and the fix', () => {
    const encrypted = encryptConfigValue(KIT_KEY, KEY);
    const path = writeConfig(configYaml(`"${encrypted}"`));
    expect(failure(path, {}, encrypted)).toBe(
      'Invalid configuration:\n' +
        `${path}:3: thrivecart.secret: the value is encrypted, but HANDOFF_SECRET_KEY is not set; set it in the environment Handoff runs in, to the key \`handoff encrypt-secret\` encrypted the value with\n` +
        `${path}:6: crm[0].apiKey: the value is encrypted, but HANDOFF_SECRET_KEY is not set; set it in the environment Handoff runs in, to the key \`handoff encrypt-secret\` encrypted the value with`,
    );
  });

  it('refuse to load with another key, naming the key path and the fix', () => {
    const encrypted = encryptConfigValue(KIT_KEY, KEY);
    const path = writeConfig(configYaml(`"${encrypted}"`, `"${THRIVECART_SECRET}"`));
    expect(failure(path, { HANDOFF_SECRET_KEY: randomBytes(32).toString('base64') }, encrypted)).toBe(
      `Invalid configuration:\n${path}:6: crm[0].apiKey: the encrypted value does not open with HANDOFF_SECRET_KEY (it was encrypted with another key, or it was altered or cut short); set the key it was encrypted with, or encrypt the secret again with \`handoff encrypt-secret\``,
    );
  });

  it('refuse to load a value altered by one bit, cut short, or not produced by encrypt-secret', () => {
    const encrypted = encryptConfigValue(KIT_KEY, KEY);
    const [version, nonce, tag, ciphertext] = encrypted.slice('enc:'.length).split('.');
    const flipped = Buffer.from(ciphertext!, 'base64url');
    flipped[0]! ^= 1;
    const altered = `enc:${[version, nonce, tag, flipped.toString('base64url')].join('.')}`;
    const sealedForTheDatabase = `enc:${new SecretBox(KEY).seal(KIT_KEY, 'webhook_endpoints.secret')}`;
    for (const bad of [altered, encrypted.slice(0, -4), `enc:${KIT_KEY}`, sealedForTheDatabase]) {
      const path = writeConfig(configYaml(`"${bad}"`, `"${THRIVECART_SECRET}"`));
      expect(failure(path, { HANDOFF_SECRET_KEY: KEY_BASE64 }, bad)).toContain(
        `${path}:6: crm[0].apiKey: the encrypted value does not open with HANDOFF_SECRET_KEY`,
      );
    }
  });

  it('refuse a HANDOFF_SECRET_KEY that is not 32 bytes of base64, without printing it', () => {
    const encrypted = encryptConfigValue(KIT_KEY, KEY);
    const path = writeConfig(configYaml(`"${encrypted}"`, `"${THRIVECART_SECRET}"`));
    const message = failure(path, { HANDOFF_SECRET_KEY: KEY_BASE64.slice(0, 20) }, encrypted);
    expect(message).toBe(
      `Invalid configuration:\n${path}:6: crm[0].apiKey: the value is encrypted, but HANDOFF_SECRET_KEY must be 32 random bytes in base64 (e.g. openssl rand -base64 32)`,
    );
    expect(message).not.toContain(KEY_BASE64.slice(0, 20));
  });

  it('need no key when the file holds none', () => {
    expect(loadConfig(writeConfig(configYaml('plain-key', 'word')), {}).crm[0]).toMatchObject({ apiKey: 'plain-key' });
  });
});

describe('where each secret comes from', () => {
  it('tells encrypted, environment and plain-text secrets apart, by key path and never by value', () => {
    const yaml = `thrivecart:
  account: school
  secret: \${THRIVECART_SECRET:-demo-secret}
crm:
  - provider: kit
    apiKey: "${encryptConfigValue(KIT_KEY, KEY)}"
  - provider: activecampaign
    baseUrl: https://school.api-us1.com
    apiToken: \${AC_TOKEN}
  - provider: drip
    accountId: "1234567"
    apiToken: plain-drip-token
  - provider: keap
    keyType: pat
    apiKey: \${KEAP_KEY}
mail:
  from: School <hi@example.com>
  smtp: smtp://user:password@smtp.example.com:587
webhooks:
  endpoints:
    - { name: site, url: "https://site.example/hooks", secret: "\${SITE_SECRET}" }
console:
  password: \${CONSOLE_PASSWORD:-a-long-fallback-password}
`;
    const { secrets } = parseConfigWithSecrets(yaml, 'handoff.config.yaml', {
      HANDOFF_SECRET_KEY: KEY_BASE64,
      AC_TOKEN: 'ac-token',
      KEAP_KEY: encryptConfigValue('keap-key', KEY),
      SITE_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
    });
    expect(secrets).toEqual([
      { path: 'thrivecart.secret', kind: 'plain', variables: [] },
      { path: 'crm[0].apiKey', kind: 'encrypted', variables: [] },
      { path: 'crm[1].apiToken', kind: 'environment', variables: ['AC_TOKEN'] },
      { path: 'crm[2].apiToken', kind: 'plain', variables: [] },
      { path: 'crm[3].apiKey', kind: 'encrypted', variables: ['KEAP_KEY'] },
      { path: 'mail.smtp', kind: 'plain', variables: [] },
      { path: 'webhooks.endpoints[0].secret', kind: 'environment', variables: ['SITE_SECRET'] },
      { path: 'console.password', kind: 'plain', variables: [] },
    ]);
  });

  it('counts an SMTP URL as a secret only when it carries a password', () => {
    const yaml =
      'thrivecart: { account: school, secret: "${TC_SECRET}" }\nmail: { from: hi@example.com, smtp: "smtp://smtp.example.com:25" }\n';
    expect(parseConfigWithSecrets(yaml, 'f.yaml', { TC_SECRET: 'word' }).secrets.map((secret) => secret.path)).toEqual([
      'thrivecart.secret',
    ]);
  });

  it('reads the file given to loadConfigWithSecrets', () => {
    const path = writeConfig(configYaml(`"${encryptConfigValue(KIT_KEY, KEY)}"`));
    expect(
      loadConfigWithSecrets(path, { HANDOFF_SECRET_KEY: KEY_BASE64 }).secrets.map(
        (secret) => `${secret.path} ${secret.kind}`,
      ),
    ).toEqual(['thrivecart.secret encrypted', 'crm[0].apiKey encrypted']);
  });
});
