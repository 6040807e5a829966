import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DunningCaseView } from '../../src/app/dunning/list-dunning-cases.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';

describe('dunning without mail.smtp', () => {
  let handoff: TestHandoff;
  beforeAll(async () => {
    // The shared test configuration has a dunning policy and no mail section.
    handoff = await startTestHandoff();
  });
  afterAll(() => handoff.close());

  it('records each reminder as logged instead of sent, once', async () => {
    await handoff.send('purchase', { email: 'lea@example.com', item: 'product-40', orderId: '7801', recurring: true });
    handoff.clock.advanceDays(30);
    await handoff.send('failed', { email: 'lea@example.com', item: 'product-40', orderId: '7801' });
    await handoff.runJobs();
    handoff.clock.advanceDays(3);
    await handoff.runJobs();

    const open = await handoff.api<{ cases: DunningCaseView[] }>('/api/dunning');
    expect(open.body.cases[0]!.emails.map((email) => [email.step, email.status, email.recipient])).toEqual([
      ['reminder-1', 'logged', 'lea@example.com'],
      ['reminder-2', 'logged', 'lea@example.com'],
      ['reminder-3', 'scheduled', null],
    ]);
  });
});
