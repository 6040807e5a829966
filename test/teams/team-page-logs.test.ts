import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildServer } from '../../src/http/server.ts';
import { connectRuntime, type Runtime } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { FakeClock } from '../support/fake-clock.ts';
import { testConfig } from '../support/test-config.ts';

/** A team link is a working credential: when a team page fails, the log says where without it. */
describe('the log of a failing team page', () => {
  let database: TestDatabase;
  let runtime: Runtime;
  const lines: string[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    runtime = await connectRuntime({
      config: testConfig(),
      connectionString: database.connectionString,
      dataDir: '/nonexistent',
      log: pino({ level: 'info' }, sink),
      clock: new FakeClock(),
      secretKey: randomBytes(32),
      publicUrl: 'https://handoff.test',
    });
  }, 60_000);

  afterAll(async () => {
    await runtime?.close();
    await database?.drop();
  });

  it('logs the path with the token cut out', async () => {
    const server = buildServer(runtime.ctx, { adminToken: 'x'.repeat(32), publicUrl: 'https://handoff.test' });
    const token = runtime.ctx.teamLinks.token({ role: 'leader', teamId: 1, contactId: 1, version: 1 });
    // Reading the link's version fails: the page cannot answer, and says so.
    await runtime.ctx.pool.query('alter table team_link_versions rename to team_link_versions_gone');
    const response = await server.inject({ method: 'GET', url: `/team/${token}` });
    await runtime.ctx.pool.query('alter table team_link_versions_gone rename to team_link_versions');
    await server.close();

    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain(token);
    const log = lines.join('');
    expect(log).toContain('team page failed');
    expect(log).toContain('/team/…');
    expect(log).not.toContain(token);
    expect(log).not.toContain(token.split('.')[1]);
  });
});
