import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  chmodSync,
  readFileSync,
  writeFileSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRET } from '../support/test-config.ts';
import { freePort, stopEmbeddedPostgresIn } from '../reliability/support/spawned-handoff.ts';

const run = promisify(execFile);
const CLI = join(import.meta.dirname, '../../bin/handoff.js');

const CONFIG = `
thrivecart:
  account: clischool
  secret: \${THRIVECART_SECRET}
offerings:
  - { id: focus-course, name: Focus Course, accessTag: "Focus - Access", revokeTag: "Focus - Revoke" }
items:
  - { item: product-12, grants: [focus-course] }
`;

/** The service as a user starts it (`npm start` runs `node bin/handoff.js serve`), on its own embedded PostgreSQL. */
describe('handoff serve on the embedded database, driven by the CLI', () => {
  const home = mkdtempSync(join(tmpdir(), 'handoff-cli-'));
  chmodSync(home, 0o755);
  const configPath = join(home, 'handoff.config.yaml');
  const dataDir = join(home, 'data');
  let port = 0;
  let service: ChildProcess;
  let output = '';
  const { DATABASE_URL: _ignored, ...baseEnv } = process.env;
  const env = (): NodeJS.ProcessEnv => ({
    ...baseEnv,
    HANDOFF_CONFIG: configPath,
    HANDOFF_DATA_DIR: dataDir,
    THRIVECART_SECRET: TEST_SECRET,
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  });

  beforeAll(async () => {
    writeFileSync(configPath, CONFIG);
    port = await freePort();
    service = spawn(process.execPath, [CLI, 'serve'], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    service.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    service.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes('Admin token')) {
      if (Date.now() > deadline || service.exitCode !== null) throw new Error(`serve did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }, 90_000);

  afterAll(() => {
    if (service.exitCode === null) service.kill('SIGKILL');
    rmSync(home, { recursive: true, force: true });
  });

  it('prints the URL to paste into ThriveCart and where the admin token is', () => {
    expect(output).toContain(`ThriveCart webhook URL: http://localhost:${port}/webhooks/thrivecart`);
    expect(output).toContain(`Database: embedded PostgreSQL in ${dataDir}`);
    expect(output).toContain(`saved in ${join(dataDir, 'admin-token')}`);
    expect(output).not.toContain(TEST_SECRET);
  });

  it('answers HEAD on the webhook URL, takes a simulated purchase, and the contact command shows the access', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/webhooks/thrivecart`, { method: 'HEAD' })).status).toBe(200);
    const simulated = await run(
      process.execPath,
      [CLI, 'simulate', 'purchase', '--email', 'cli@example.com', '--item', 'product-12', '--first-name', 'Cli'],
      { env: env() },
    );
    expect(simulated.stdout).toMatch(/^200 \{"status":"applied"/);
    const contact = await run(process.execPath, [CLI, 'contact', 'cli@example.com'], { env: env() });
    expect(contact.stdout).toContain('GRANTED Focus Course');
    expect(contact.stdout).toMatch(
      /Bought Course 12 & Community \(product-12\) in order \d+: access to Focus Course granted {2}\[\+Focus - Access\]/,
    );
    const dryRun = await run(process.execPath, [CLI, 'replay', '--dry-run'], { env: env() });
    expect(dryRun.stdout).toMatch(/^Dry run: replayed 1 deliveries for 1 contacts/);
  }, 60_000);

  it('stops cleanly on SIGTERM, embedded PostgreSQL included', async () => {
    const exited = new Promise<number | null>((resolve) => service.once('exit', (code) => resolve(code)));
    service.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
  }, 30_000);

  it('check-config exits 1 naming the file, the line and the bad key', async () => {
    const broken = join(home, 'broken.yaml');
    writeFileSync(broken, CONFIG.replace('grants: [focus-course]', 'grants: [focus]'));
    const result = await run(process.execPath, [CLI, 'check-config', '--config', broken], { env: env() }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect(result).toMatchObject({
      code: 1,
      stderr: `Invalid configuration:\n${broken}:8: items[0].grants[0]: unknown offering "focus" (did you mean "focus-course"?); known offerings: focus-course\n`,
    });
    const ok = await run(process.execPath, [CLI, 'check-config'], { env: env() });
    expect(ok.stdout).toContain('is valid: ThriveCart account "clischool", 1 offering(s), 1 item(s)');

    const templates = join(home, 'my-templates');
    mkdirSync(templates);
    writeFileSync(join(templates, 'dunning-reminder.subject.txt'), 'Pay up, {{fistName}}');
    const withTemplates = join(home, 'with-templates.yaml');
    writeFileSync(
      withTemplates,
      `${CONFIG}dunning:\n  default: {}\nmail:\n  from: "School <hi@example.com>"\n  templatesDir: ${templates}\n`,
    );
    const badTemplate = await run(process.execPath, [CLI, 'check-config', '--config', withTemplates], {
      env: env(),
    }).catch((error: { code: number; stderr: string }) => error);
    expect(badTemplate).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(/^Invalid e-mail templates:\n.*dunning-reminder\.subject\.txt.*fistName/),
    });
  }, 120_000); // four CLI processes, each loading TypeScript: slow on a loaded machine
});

/** A fresh clone: no handoff.config.yaml (it is not tracked), only the example; `npm start` from that folder. */
describe('the first start of a fresh clone', () => {
  const clone = mkdtempSync(join(tmpdir(), 'handoff-clone-'));
  chmodSync(clone, 0o755);
  const { DATABASE_URL: _ignored, HANDOFF_CONFIG: _config, THRIVECART_SECRET: _secret, ...baseEnv } = process.env;
  let service: ChildProcess | undefined;
  afterAll(async () => {
    if (service && service.exitCode === null) service.kill('SIGKILL');
    // The killed service's PostgreSQL is detached and would outlive the folder.
    await stopEmbeddedPostgresIn(join(clone, 'data'));
    rmSync(clone, { recursive: true, force: true });
  });

  it('creates the working configuration from the example and says so, then a port in use is one clear sentence', async () => {
    copyFileSync(
      join(import.meta.dirname, '../../handoff.config.example.yaml'),
      join(clone, 'handoff.config.example.yaml'),
    );
    const port = await freePort();
    const env = { ...baseEnv, HANDOFF_DATA_DIR: join(clone, 'data'), PORT: String(port), LOG_LEVEL: 'warn' };
    const started = spawn(process.execPath, [CLI, 'serve'], { cwd: clone, env, stdio: ['ignore', 'pipe', 'pipe'] });
    service = started;
    let output = '';
    started.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    started.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (!output.includes('Admin token')) {
      if (Date.now() > deadline || started.exitCode !== null) throw new Error(`serve did not start:\n${output}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(output).toContain(
      `Created ${join(clone, 'handoff.config.yaml')} from ${join(clone, 'handoff.config.example.yaml')} (a demo setup): edit it for your school, then restart Handoff.`,
    );
    expect(output).toContain(`Handoff is running on http://127.0.0.1:${port}`);
    expect(readFileSync(join(clone, 'handoff.config.yaml'), 'utf8')).toBe(
      readFileSync(join(clone, 'handoff.config.example.yaml'), 'utf8'),
    );

    // A second `npm start` in the same folder while the first still runs: it shares the first's
    // PostgreSQL (no cluster of its own to create) and finds the port taken.
    const second = await run(process.execPath, [CLI, 'serve'], { cwd: clone, env }).catch(
      (error: { code: number; stdout: string; stderr: string }) => error,
    );
    expect(second).toMatchObject({
      code: 1,
      stderr: `Port ${port} on 127.0.0.1 is already in use (another Handoff, or another program): stop that program, or set PORT to a free port.\n`,
    });
    expect(second.stdout).not.toContain('Created');
  }, 150_000);
});
