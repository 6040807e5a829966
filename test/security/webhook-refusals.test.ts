import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildThriveCartFields, encodeForm } from '../../src/adapters/sources/thrivecart/build-body.ts';
import { refusedDeliveriesSince } from '../../src/adapters/store/refused-deliveries.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { TEST_ACCOUNT, TEST_SECRET } from '../support/test-config.ts';

describe('a refused ThriveCart delivery', () => {
  let handoff: TestHandoff;
  let base = '';
  beforeAll(async () => {
    handoff = await startTestHandoff();
    base = await handoff.server.listen({ port: 0, host: '127.0.0.1' });
  });
  afterAll(() => handoff.close());

  const post = async (account: string, secret: string): Promise<{ status: number; body: string }> => {
    const fields = buildThriveCartFields('purchase', {
      account,
      secret,
      email: 'mallory@example.com',
      item: 'product-12',
    });
    const answer = await fetch(`${base}/webhooks/thrivecart`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: encodeForm(fields),
    });
    return { status: answer.status, body: await answer.text() };
  };

  it('gets the same answer whether the secret word, the account or both were wrong, so a guess cannot be confirmed alone', async () => {
    const wrongSecret = await post(TEST_ACCOUNT, 'a guessed secret word');
    const wrongAccount = await post('someone-else', TEST_SECRET);
    const bothWrong = await post('someone-else', 'a guessed secret word');
    const noSecret = await post(TEST_ACCOUNT, '');
    expect(wrongSecret.status).toBe(401);
    for (const other of [wrongAccount, bothWrong, noSecret]) expect(other).toEqual(wrongSecret);
    expect(wrongSecret.body).not.toMatch(/secret does not match|account does not match|missing/);
  });

  it('keeps the precise reason for the person running Handoff', async () => {
    const reasons = (await refusedDeliveriesSince(handoff.runtime.ctx.pool, 0)).map((refusal) => refusal.reason).sort();
    expect(reasons).toEqual(['missing-secret', 'secret-mismatch', 'account-mismatch'].sort());
  });
});
