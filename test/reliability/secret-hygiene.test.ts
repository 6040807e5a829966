/**
 * T17, secret hygiene: after `handoff serve` has handled purchases signed with the secret word,
 * refused wrong ones, rejected unusable ones and answered malformed bodies that carried the
 * secret, and pushed contacts to a CRM, neither any stored text (every text and JSON column of
 * every table: the dump) nor anything the process logged (at the most verbose level) contains the
 * secret word or the CRM key. Both are written encrypted in the configuration file (`enc:`, key
 * from HANDOFF_SECRET_KEY), so the file holds neither either.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeCrmServer } from '../support/crm-fakes/fake-crm-server.ts';
import { startKitFake } from '../support/crm-fakes/kit.ts';
import { buildThriveCartFields, encodeForm, encodeJson } from '../../src/adapters/sources/thrivecart/build-body.ts';
import { encryptConfigValue } from '../../src/config/encrypted-value.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { TEST_SECRET, testConfigYaml } from '../support/test-config.ts';
import { findInDatabase, secretSpellings } from './support/database-scan.ts';
import {
  createHandoffHome,
  freePort,
  sleep,
  spawnHandoff,
  SPAWNED_ADMIN_TOKEN,
  type HandoffHome,
  type SpawnedHandoff,
} from './support/spawned-handoff.ts';
import { testDeliveryFields } from '../support/test-delivery.ts';

const KIT_API_KEY = 'kit-hygiene-key-9f8e7d6c5b4a';
const SYNC_TIMEOUT_MS = 60_000;

describe('secret hygiene of the database, the logs and the configuration file', () => {
  let database: TestDatabase;
  let kit: FakeCrmServer;
  let home: HandoffHome;
  let server: SpawnedHandoff;
  beforeAll(async () => {
    database = await createTestDatabase();
    kit = await startKitFake(KIT_API_KEY);
    home = await createHandoffHome('handoff-hygiene-');
    const key = randomBytes(32);
    const crm = `crm:\n  - { provider: kit, baseUrl: "${kit.url}", apiKey: "${encryptConfigValue(KIT_API_KEY, key)}" }\n`;
    await writeFile(home.configPath, testConfigYaml(`"${encryptConfigValue(TEST_SECRET, key)}"`, crm));
    // THRIVECART_SECRET, which spawnHandoff also sets, is not read: the file holds the secret word encrypted.
    server = await spawnHandoff({
      home,
      port: await freePort(),
      env: { DATABASE_URL: database.connectionString, LOG_LEVEL: 'trace', HANDOFF_SECRET_KEY: key.toString('base64') },
    });
  }, 120_000);
  afterAll(async () => {
    await server.stop();
    await home.remove();
    await kit.close();
    await database.drop();
  });

  it('keeps the ThriveCart secret word and the CRM key out of every stored text and every log line', async () => {
    const post = async (payload: string, contentType: string): Promise<number> =>
      (
        await fetch(`${server.url}/webhooks/thrivecart`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body: payload,
        })
      ).status;
    const fields = (index: number, secret = TEST_SECRET): ReturnType<typeof buildThriveCartFields> =>
      testDeliveryFields('purchase', {
        secret,
        email: `hygiene-${index}@example.com`,
        item: 'product-12',
        extraItems: ['bump-12'],
        orderId: String(900_000 + index),
      });

    const statuses: number[] = [];
    for (let index = 0; index < 20; index += 1) {
      statuses.push(
        await post(
          index % 2 ? encodeJson(fields(index)) : encodeForm(fields(index)),
          index % 2 ? 'application/json' : 'application/x-www-form-urlencoded',
        ),
      );
    }
    statuses.push(await post(encodeForm(fields(0)), 'application/x-www-form-urlencoded'));
    const refund = testDeliveryFields('refund', {
      email: 'hygiene-0@example.com',
      item: 'product-12',
      orderId: '900000',
    });
    statuses.push(await post(encodeForm(refund), 'application/x-www-form-urlencoded'));
    delete (refund.refund as Record<string, unknown>).type;
    statuses.push(await post(encodeJson({ ...refund, event_id: '77' }), 'application/json'));
    statuses.push(await post(encodeForm(fields(50, `${TEST_SECRET}-but-wrong`)), 'application/x-www-form-urlencoded'));
    statuses.push(await post(`${encodeJson(fields(51)).slice(0, -1)},`, 'application/json'));
    statuses.push(await post(`${encodeForm(fields(52))}&__proto__[x]=1`, 'application/x-www-form-urlencoded'));
    statuses.push(
      await post(`${encodeForm(fields(53))}&padding=${'x'.repeat(70_000)}`, 'application/x-www-form-urlencoded'),
    );
    expect(statuses).toEqual([...Array(21).fill(200), 200, 422, 401, 400, 400, 413]);
    const contact = await fetch(`${server.url}/api/contacts/hygiene-1@example.com`, {
      headers: { authorization: `Bearer ${SPAWNED_ADMIN_TOKEN}` },
    });
    expect(contact.status).toBe(200);
    // The fake Kit refuses any other key, so tags arriving there show the decrypted key was sent.
    const deadline = Date.now() + SYNC_TIMEOUT_MS;
    while (!tagsInKit('hygiene-1@example.com').includes('Focus - Access')) {
      if (Date.now() > deadline)
        throw new Error(`the contact did not reach the fake Kit; Kit saw ${kit.requests.length} request(s)`);
      await sleep(100);
    }

    const client = new pg.Client({ connectionString: database.connectionString });
    await client.connect();
    try {
      const spellings = [...secretSpellings(TEST_SECRET), ...secretSpellings(KIT_API_KEY)];
      expect(await findInDatabase(client, spellings)).toEqual([]);
      // The scan itself works: it finds what is certainly stored.
      expect(await findInDatabase(client, ['hygiene-1@example.com'])).toContain('deliveries.body');
      const logs = server.output();
      expect(logs).toContain('failed verification');
      for (const spelling of spellings) expect(logs).not.toContain(spelling);
      const configFile = await readFile(home.configPath, 'utf8');
      for (const spelling of spellings) expect(configFile).not.toContain(spelling);
    } finally {
      await client.end();
    }
  }, 120_000);

  function tagsInKit(email: string): string[] {
    const subscriber = kit.state.findContactByEmail(email);
    return subscriber ? kit.state.tagNamesOf(subscriber.id) : [];
  }
});
