import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pino } from 'pino';
import { addWebhookEndpoint } from '../../src/app/webhooks/webhook-endpoints.ts';
import { connectRuntime, type Runtime } from '../../src/main.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { testConfig } from '../support/test-config.ts';

/** Two Handoff processes on one database: an endpoint added through one is heard of by the other. */
describe('an endpoint added through another process', () => {
  let database: TestDatabase;
  let first: Runtime;
  let second: Runtime;
  beforeAll(async () => {
    database = await createTestDatabase();
    const secretKey = randomBytes(32);
    const open = (): Promise<Runtime> =>
      connectRuntime({
        config: testConfig('webhooks: { allowPrivateNetworks: true }'),
        connectionString: database.connectionString,
        dataDir: '/nonexistent',
        log: pino({ level: 'silent' }),
        secretKey,
      });
    first = await open();
    second = await open();
  });
  afterAll(async () => {
    await first.close();
    await second.close();
    await database.drop();
  });

  it('makes the other process record events within its look interval', async () => {
    expect(second.ctx.webhooks.mayHaveEndpoints).toBe(false);
    const stopWatching = second.ctx.webhooks.watchForEndpoints(second.ctx.pool, 20);
    try {
      const added = await addWebhookEndpoint(first.ctx, { url: 'http://127.0.0.1:9/never-called', events: 'all' });
      expect(added.error).toBeNull();
      const deadline = Date.now() + 5_000;
      while (!second.ctx.webhooks.mayHaveEndpoints && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 10));
      expect(second.ctx.webhooks.mayHaveEndpoints).toBe(true);
    } finally {
      stopWatching();
    }
  });
});
