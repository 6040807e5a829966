import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eraseContact } from '../../src/app/contacts/contact-data-rights.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { startReceiver, type Receiver } from './receiver.ts';
import { configWithEndpoint } from './webhook-config.ts';

describe('GDPR erasure and webhooks', () => {
  let receiver: Receiver;
  let handoff: TestHandoff;
  beforeAll(async () => {
    // The site is down, so the person's messages are still waiting when they are erased.
    receiver = await startReceiver(() => ({ status: 500 }));
    handoff = await startTestHandoff({ config: configWithEndpoint(receiver.url) });
  });
  afterAll(async () => {
    await handoff.close();
    await receiver.close();
  });

  const webhookRows = async (): Promise<string> => {
    const pool = handoff.runtime.ctx.pool;
    const tables = ['webhook_messages', 'webhook_deliveries', 'webhook_attempts', 'webhook_contact_details'];
    const dumps = await Promise.all(
      tables.map(async (table) => JSON.stringify((await pool.query(`select * from ${table}`)).rows)),
    );
    return dumps.join('\n').toLowerCase();
  };

  it("deletes the person's webhook messages and stops their deliveries, keeping everyone else's", async () => {
    await handoff.send('purchase', { email: 'private.person@example.com', firstName: 'Priya', lastName: 'Privatova' });
    await handoff.send('purchase', { email: 'someone.else@example.com' });
    await handoff.runJobs();
    expect(receiver.received).toHaveLength(2);
    expect(await webhookRows()).toContain('private.person@example.com');

    expect(await eraseContact(handoff.runtime.ctx, 'private.person@example.com', 'amy')).not.toBeNull();
    const rows = await webhookRows();
    expect(rows).not.toContain('private.person@example.com');
    expect(rows).not.toContain('privatova');
    expect(rows).toContain('someone.else@example.com');

    handoff.clock.advance(60_000);
    await handoff.runJobs();
    expect(receiver.received.slice(2).map((webhook) => webhook.body)).toEqual([
      expect.stringContaining('someone.else@example.com'),
    ]);
  });
});
