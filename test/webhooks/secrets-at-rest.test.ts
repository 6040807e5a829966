import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SecretBox, SecretBoxError } from '../../src/adapters/crypto/secret-box.ts';
import { addWebhookEndpoint } from '../../src/app/webhooks/webhook-endpoints.ts';
import { resolveSecretKey } from '../../src/config/secret-key.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { testConfig } from '../support/test-config.ts';

describe('signing secrets of endpoints added in the console, at rest', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    handoff = await startTestHandoff({ config: testConfig('webhooks: { allowPrivateNetworks: true }') });
  });
  afterAll(() => handoff.close());

  it('are stored encrypted: the database holds no copy of the secret shown once', async () => {
    const added = await addWebhookEndpoint(handoff.runtime.ctx, { url: 'http://127.0.0.1:9/site', events: 'all' });
    expect(added.secret).toMatch(/^whsec_/);
    const stored = await handoff.runtime.ctx.pool.query<{ secret: string }>(
      `select secret from webhook_endpoints where source = 'console'`,
    );
    expect(stored.rows[0]!.secret).toMatch(/^v1\./);
    const everything = JSON.stringify((await handoff.runtime.ctx.pool.query(`select * from webhook_endpoints`)).rows);
    expect(everything).not.toContain(added.secret!.slice('whsec_'.length, 30));
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));

  it('opens what it sealed, only in the same context and with the same key', () => {
    const sealed = box.seal('whsec_abc', 'webhook_endpoints.secret');
    expect(box.open(sealed, 'webhook_endpoints.secret')).toBe('whsec_abc');
    expect(() => box.open(sealed, 'another.column')).toThrow(SecretBoxError);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'webhook_endpoints.secret')).toThrow(SecretBoxError);
  });

  it('refuses a sealed value with one bit flipped', () => {
    const sealed = box.seal('whsec_abc', 'context');
    const [version, nonce, tag, ciphertext] = sealed.split('.');
    const bytes = Buffer.from(ciphertext!, 'base64url');
    bytes[0]! ^= 1;
    expect(() => box.open([version, nonce, tag, bytes.toString('base64url')].join('.'), 'context')).toThrow(
      SecretBoxError,
    );
  });

  it('takes its key from HANDOFF_SECRET_KEY, or generates one (mode 600) in the data folder once', () => {
    const key = randomBytes(32);
    expect(resolveSecretKey({ HANDOFF_SECRET_KEY: key.toString('base64') }, '/nonexistent')).toEqual(key);
    expect(() => resolveSecretKey({ HANDOFF_SECRET_KEY: 'short' }, '/nonexistent')).toThrow(/32 random bytes/);
    const dataDir = mkdtempSync(join(tmpdir(), 'handoff-key-'));
    try {
      const generated = resolveSecretKey({}, dataDir);
      expect(generated).toHaveLength(32);
      expect(resolveSecretKey({}, dataDir)).toEqual(generated);
      expect(statSync(join(dataDir, 'secret-key')).mode & 0o777).toBe(0o600);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
