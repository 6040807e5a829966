import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { startKitFake } from '../support/crm-fakes/kit.ts';
import { loadConfig } from '../../src/config/load-config.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { CLI, runCli as handoff } from '../support/run-cli.ts';

const KIT_KEY = 'kit-v4-key-only-in-the-environment-0123';
const THRIVECART_SECRET = 'cli secret word';

// Every test starts `handoff` processes (about 2 s of CPU each to load), some several: the values
// encrypted once in beforeAll serve every test that needs one.
describe('handoff encrypt-secret, and a configuration holding its output', { timeout: 60_000 }, () => {
  const home = mkdtempSync(join(tmpdir(), 'handoff-encrypt-'));
  const key = randomBytes(32).toString('base64');
  const { DATABASE_URL: _inherited, HANDOFF_SECRET_KEY: _ambientKey, ...baseEnv } = process.env;
  // HANDOFF_DATA_DIR points at a folder without a generated key, so encrypt-secret has nothing to warn about.
  const withKey: NodeJS.ProcessEnv = { ...baseEnv, HANDOFF_SECRET_KEY: key, HANDOFF_DATA_DIR: join(home, 'data') };
  let database: TestDatabase;
  let kit: FakeCrmServer;
  /** KIT_KEY encrypted twice, THRIVECART_SECRET and another Kit key encrypted once, by `handoff encrypt-secret`. */
  let encrypted: { kitKey: string; kitKeyAgain: string; thrivecartSecret: string; otherKitKey: string };

  beforeAll(async () => {
    database = await createTestDatabase();
    kit = await startKitFake(KIT_KEY);
    const [kitKey, kitKeyAgain, thrivecartSecret, otherKitKey] = await Promise.all([
      encrypt(KIT_KEY),
      encrypt(KIT_KEY),
      encrypt(THRIVECART_SECRET),
      encrypt('another-kit-key'),
    ]);
    encrypted = { kitKey, kitKeyAgain, thrivecartSecret, otherKitKey };
  });
  afterAll(async () => {
    await kit.close();
    await database.drop();
    rmSync(home, { recursive: true, force: true });
  });

  async function encrypt(secret: string): Promise<string> {
    const result = await handoff(['encrypt-secret'], withKey, `${secret}\n`);
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toMatch(/^enc:v1\.[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(result.stdout).not.toContain(secret);
    return result.stdout.trim();
  }

  const writeConfig = (name: string, kitApiKey: string, thrivecartSecret: string): string => {
    const path = join(home, name);
    writeFileSync(
      path,
      `thrivecart:\n  account: clischool\n  secret: "${thrivecartSecret}"\ncrm:\n  - provider: kit\n    baseUrl: ${kit.url}\n    apiKey: "${kitApiKey}"\n`,
    );
    return path;
  };

  it('prints a value that the configuration loader decrypts to the secret given on stdin', async () => {
    expect(encrypted.kitKey).not.toBe(encrypted.kitKeyAgain);
    const path = writeConfig('round-trip.yaml', encrypted.kitKey, encrypted.thrivecartSecret);
    const config = loadConfig(path, { HANDOFF_SECRET_KEY: key });
    expect(config.crm[0]).toMatchObject({ provider: 'kit', apiKey: KIT_KEY });
    expect(config.thrivecart.secret).toBe(THRIVECART_SECRET);
    expect(readFileSync(path, 'utf8')).not.toContain(KIT_KEY);
    const again = writeConfig('round-trip-again.yaml', encrypted.kitKeyAgain, encrypted.otherKitKey);
    expect(loadConfig(again, { HANDOFF_SECRET_KEY: key }).crm[0]).toMatchObject({ apiKey: KIT_KEY });
  });

  it('refuses to run without HANDOFF_SECRET_KEY, or with an empty or multi-line secret', async () => {
    const { HANDOFF_SECRET_KEY: _key, ...withoutKey } = withKey;
    const [noKey, shortKey, empty, multiLine] = await Promise.all([
      handoff(['encrypt-secret'], withoutKey, `${KIT_KEY}\n`),
      handoff(['encrypt-secret'], { ...withKey, HANDOFF_SECRET_KEY: 'too-short' }, `${KIT_KEY}\n`),
      handoff(['encrypt-secret'], withKey, '\n'),
      handoff(['encrypt-secret'], withKey, 'one\ntwo\n'),
    ]);
    expect(noKey).toEqual({
      code: 1,
      stdout: '',
      stderr:
        'HANDOFF_SECRET_KEY is not set. Create a key once (openssl rand -base64 32), set HANDOFF_SECRET_KEY to it here and wherever Handoff runs, and keep it out of the configuration file and the data folder.\n',
    });
    expect(shortKey).toEqual({
      code: 1,
      stdout: '',
      stderr: 'HANDOFF_SECRET_KEY must be 32 random bytes in base64 (e.g. openssl rand -base64 32)\n',
    });
    expect(empty).toEqual({ code: 1, stdout: '', stderr: 'No secret on stdin: nothing was encrypted.\n' });
    expect(multiLine).toEqual({
      code: 1,
      stdout: '',
      stderr: 'The secret spans several lines; give it on one line.\n',
    });
  });

  it('warns when the data folder holds a generated key other than HANDOFF_SECRET_KEY', async () => {
    const dataDir = join(home, 'data-with-key');
    mkdirSync(dataDir);
    writeFileSync(join(dataDir, 'secret-key'), `${randomBytes(32).toString('base64')}\n`);
    const result = await handoff(['encrypt-secret'], { ...withKey, HANDOFF_DATA_DIR: dataDir }, `${KIT_KEY}\n`);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^enc:v1\./);
    expect(result.stderr).toContain(`Note: ${join(dataDir, 'secret-key')} holds a different key.`);
    writeFileSync(join(dataDir, 'secret-key'), `${key}\n`);
    expect((await handoff(['encrypt-secret'], { ...withKey, HANDOFF_DATA_DIR: dataDir }, `${KIT_KEY}\n`)).stderr).toBe(
      '',
    );
  });

  it.skipIf(process.platform !== 'linux' || spawnSync('script', ['--version']).status !== 0)(
    'reads the secret at a terminal without echoing it',
    async () => {
      // `script` gives the command a pseudo-terminal, as a person typing would.
      const child = spawn('script', ['-qec', `'${process.execPath}' '${CLI}' encrypt-secret`, '/dev/null'], {
        env: withKey,
        stdio: ['pipe', 'pipe', 'pipe'],
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      const deadline = Date.now() + 20_000;
      while (!output.includes('Secret (not shown), then Enter: ')) {
        if (Date.now() > deadline) throw new Error(`no prompt:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      child.stdin.write(`${KIT_KEY}\r`);
      expect(await exited).toBe(0);
      child.stdin.end();
      expect(output).not.toContain(KIT_KEY);
      const encrypted = /enc:v1\.[\w.-]+/.exec(output)?.[0];
      const path = writeConfig('from-terminal.yaml', encrypted ?? 'missing', 'word');
      expect(loadConfig(path, { HANDOFF_SECRET_KEY: key }).crm[0]).toMatchObject({ apiKey: KIT_KEY });
    },
  );

  it('check-config says which secrets are encrypted, read from the environment or written in plain text, without their values', async () => {
    const path = join(home, 'mixed.yaml');
    writeFileSync(
      path,
      `thrivecart:\n  account: clischool\n  secret: \${THRIVECART_SECRET}\ncrm:\n  - provider: kit\n    baseUrl: ${kit.url}\n    apiKey: "${encrypted.kitKey}"\n  - provider: drip\n    accountId: "1234567"\n    apiToken: plain-drip-token\n`,
    );
    const result = await handoff(['check-config', '--config', path], { ...withKey, THRIVECART_SECRET });
    expect(result).toEqual({
      code: 0,
      stderr: '',
      stdout:
        `${path} is valid: ThriveCart account "clischool", 0 offering(s), 0 item(s), 0 dunning polic(ies).\n` +
        'Secrets:\n' +
        '  thrivecart.secret: from the environment (THRIVECART_SECRET)\n' +
        '  crm[0].apiKey: encrypted (enc:)\n' +
        '  crm[1].apiToken: plain text in the file\n' +
        `WARNING: crm[1].apiToken is written in plain text in ${path}. Encrypt each with \`handoff encrypt-secret\` (it reads the secret from stdin and prints an enc:v1… value to put in its place), or read it from the environment with \${VARIABLE}.\n`,
    });
    for (const secret of [KIT_KEY, THRIVECART_SECRET, 'plain-drip-token']) expect(result.stdout).not.toContain(secret);
  });

  it('check-config fails with the file, the line and the key path when the value does not open, printing neither secret nor key', async () => {
    const path = writeConfig('wrong-key.yaml', encrypted.kitKey, 'word');
    const otherKey = randomBytes(32).toString('base64');
    const result = await handoff(['check-config', '--config', path], { ...withKey, HANDOFF_SECRET_KEY: otherKey });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toBe(
      `Invalid configuration:\n${path}:7: crm[0].apiKey: the encrypted value does not open with HANDOFF_SECRET_KEY (it was encrypted with another key, or it was altered or cut short); set the key it was encrypted with, or encrypt the secret again with \`handoff encrypt-secret\`\n`,
    );
    for (const leak of [KIT_KEY, key, otherKey]) expect(result.stderr).not.toContain(leak);
  });

  it('handoff doctor reaches the CRM with the decrypted key; a different key is refused by the CRM', async () => {
    const env = { ...withKey, DATABASE_URL: database.connectionString, LOG_LEVEL: 'warn' };
    const { kitKey, otherKitKey, thrivecartSecret } = encrypted;
    const works = await handoff(['doctor', '--config', writeConfig('doctor.yaml', kitKey, thrivecartSecret)], env);
    expect(works.code).toBe(0);
    expect(works.stdout).toContain(`OK   CRM kit: kit at ${kit.url} answered with the configured key: works\n`);
    const refused = await handoff(
      ['doctor', '--config', writeConfig('doctor-other-key.yaml', otherKitKey, 'word')],
      env,
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/^FAIL CRM kit: the API key was refused/m);
    for (const output of [works.stdout, works.stderr, refused.stdout, refused.stderr])
      expect(output).not.toContain(KIT_KEY);
  });
});
