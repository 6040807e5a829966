import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { DEMO_SECRET } from '../../src/config/demo-secret.ts';
import { connectRuntime, startService, type Service } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testConfigYaml } from '../support/test-config.ts';

const GOOD_TOKEN = `hof_${randomBytes(32).toString('base64url')}`;

/** The real start path (`handoff serve` calls startService), on a test database, with the environment given. */
async function start(options: {
  secret?: string;
  host?: string;
  env: NodeJS.ProcessEnv;
  dataDir: string;
  database: TestDatabase;
}): Promise<Service> {
  const config = parseConfig(
    testConfigYaml(`"${options.secret ?? 'a secret word nobody guesses'}"`),
    'test-config.yaml',
    {},
  );
  const runtime = await connectRuntime({
    config,
    connectionString: options.database.connectionString,
    dataDir: options.dataDir,
    log: pino({ level: 'silent' }),
    secretKey: randomBytes(32),
  });
  return startService(runtime, { port: 0, host: options.host ?? '127.0.0.1', env: options.env });
}

describe('Handoff refuses to start open to anyone', () => {
  let database: TestDatabase;
  let dataDir: string;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });
  const freshDataDir = (): string => {
    dataDir = mkdtempSync(join(tmpdir(), 'handoff-security-'));
    return dataDir;
  };
  const cleanUp = (): void => rmSync(dataDir, { recursive: true, force: true });

  it.each([
    ['an empty admin token file', ''],
    ['a whitespace-only admin token file', ' \n\t\n'],
    ['a short admin token file', 'letmein\n'],
  ])('refuses %s, saying how long the token must be', async (_what, content) => {
    writeFileSync(join(freshDataDir(), 'admin-token'), content);
    await expect(start({ env: {}, dataDir, database })).rejects.toThrow(
      /admin token file .* (is empty|holds only 7 characters); the admin token must be at least 32 characters/,
    );
    cleanUp();
  });

  it('refuses a short HANDOFF_ADMIN_TOKEN (and a blank one) before looking for a file', async () => {
    await expect(
      start({ env: { HANDOFF_ADMIN_TOKEN: 'short-token' }, dataDir: freshDataDir(), database }),
    ).rejects.toThrow(/HANDOFF_ADMIN_TOKEN holds only 11 characters; the admin token must be at least 32 characters/);
    await expect(start({ env: { HANDOFF_ADMIN_TOKEN: '   ' }, dataDir, database })).rejects.toThrow(
      /HANDOFF_ADMIN_TOKEN is empty/,
    );
    cleanUp();
  });

  it('starts with a generated token, which is long enough, and refuses an empty secret at the login', async () => {
    const service = await start({ env: {}, dataDir: freshDataDir(), database });
    try {
      expect(service.adminToken).toMatchObject({ generated: true, source: 'file' });
      expect(service.adminToken.token.length).toBeGreaterThanOrEqual(32);
      const empty = await fetch(`${service.address}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'secret=&next=%2F',
      });
      expect(empty.headers.get('location')).toMatch(/^\/login\?failed=1/);
    } finally {
      await service.stop();
      cleanUp();
    }
  });

  it.each([
    [
      'listening beyond this computer',
      { host: '0.0.0.0', env: {} },
      /public demo value "demo-secret-change-me" and it would listen on 0\.0\.0\.0, beyond this computer.*Set THRIVECART_SECRET/,
    ],
    [
      'with NODE_ENV=production, even on localhost',
      { host: '127.0.0.1', env: { NODE_ENV: 'production' } },
      /public demo value "demo-secret-change-me" and NODE_ENV is production.*Set THRIVECART_SECRET/,
    ],
  ])('refuses the demo secret word %s', async (_what, { host, env }, message) => {
    await expect(
      start({
        secret: DEMO_SECRET,
        host,
        env: { ...env, HANDOFF_ADMIN_TOKEN: GOOD_TOKEN },
        dataDir: freshDataDir(),
        database,
      }),
    ).rejects.toThrow(message);
    cleanUp();
  });

  it('starts on a real secret word beyond localhost, and with the demo word on localhost shows "demo mode" on every console page', async () => {
    const real = await start({
      host: '0.0.0.0',
      env: { HANDOFF_ADMIN_TOKEN: GOOD_TOKEN },
      dataDir: freshDataDir(),
      database,
    });
    const realPort = new URL(real.address).port;
    expect(await (await fetch(`http://127.0.0.1:${realPort}/login`)).text()).not.toContain('Demo mode');
    await real.stop();
    cleanUp();

    const demo = await start({
      secret: DEMO_SECRET,
      host: '127.0.0.1',
      env: { HANDOFF_ADMIN_TOKEN: GOOD_TOKEN },
      dataDir: freshDataDir(),
      database,
    });
    try {
      expect(await (await fetch(`${demo.address}/login`)).text()).toContain(
        'Demo mode: the ThriveCart secret word is the public demo value',
      );
      const login = await fetch(`${demo.address}/login`, {
        method: 'POST',
        redirect: 'manual',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: `secret=${GOOD_TOKEN}&next=%2F`,
      });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      for (const path of ['/', '/contacts', '/deliveries', '/dunning', '/webhooks', '/problems', '/setup']) {
        const page = await fetch(`${demo.address}${path}`, { headers: { cookie }, redirect: 'manual' });
        expect(page.status, path).toBe(200);
        expect(await page.text(), path).toContain('Demo mode: the ThriveCart secret word is the public demo value');
      }
    } finally {
      await demo.stop();
      cleanUp();
    }
  });
});
