/**
 * Without the API: a subscription whose payment was due thrivecart.silentAfterDays ago with no
 * renewal, failure or cancellation is a problem; the item's onSilence says whether access stays.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config/load-config.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { testConfigYaml } from '../support/test-config.ts';

describe('no word from ThriveCart about a subscription', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    const yaml = testConfigYaml()
      .replace('testMode: ignore', 'testMode: ignore\n  silentAfterDays: 5')
      .replace('onCancel: immediately, dunning: none }', 'onCancel: immediately, dunning: none, onSilence: revoke }');
    handoff = await startTestHandoff({ config: parseConfig(yaml, 'test.yaml', {}) });
  });
  afterAll(() => handoff.close());

  it('is a problem once the due date is silentAfterDays past; access continues by default and ends where the item says revoke', async () => {
    const due = new Date(handoff.clock.now() + 30 * 86_400_000);
    await handoff.send('purchase', {
      email: 'keeps@example.com',
      item: 'product-40',
      orderId: '9101',
      recurring: true,
      nextPaymentAt: due,
    });
    await handoff.send('purchase', {
      email: 'loses@example.com',
      item: 'product-41',
      orderId: '9102',
      recurring: true,
      nextPaymentAt: due,
    });

    handoff.clock.advanceDays(34);
    await handoff.runJobs();
    let problems = await handoff.api<{ silentSubscriptions: { email: string; message: string }[] }>('/api/problems');
    expect(problems.body.silentSubscriptions).toEqual([]);
    expect((await handoff.api('/api/access?email=loses@example.com&offering=community')).body).toMatchObject({
      granted: true,
    });

    handoff.clock.advanceDays(2);
    await handoff.runJobs();
    problems = await handoff.api('/api/problems');
    expect(problems.body.silentSubscriptions.map((silent) => silent.email).sort()).toEqual([
      'keeps@example.com',
      'loses@example.com',
    ]);
    expect(problems.body.silentSubscriptions.find((silent) => silent.email === 'keeps@example.com')?.message).toMatch(
      /^No word from ThriveCart about Course 40 & Community \(product-40, order 9101\) for keeps@example\.com: .*Access continues meanwhile/,
    );
    expect((await handoff.api('/api/access?email=keeps@example.com&offering=community')).body).toMatchObject({
      granted: true,
    });
    const lost = await handoff.api<{ granted: boolean; reason: string }>(
      '/api/access?email=loses@example.com&offering=community',
    );
    expect(lost.body).toMatchObject({
      granted: false,
      reason: expect.stringMatching(/^No word from ThriveCart about /),
    });
  });

  it('a renewal ends the silence', async () => {
    await handoff.send('renewal', {
      email: 'keeps@example.com',
      item: 'product-40',
      orderId: '9101',
      nextPaymentAt: new Date(handoff.clock.now() + 30 * 86_400_000),
    });
    const problems = await handoff.api<{ silentSubscriptions: { email: string }[] }>('/api/problems');
    expect(problems.body.silentSubscriptions.map((silent) => silent.email)).toEqual(['loses@example.com']);
  });
});
