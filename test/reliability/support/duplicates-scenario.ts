/**
 * T2, duplicate deliveries: each distinct delivery is sent three times in sequence, then three
 * times at once, through the whole intake. Every copy gets a 2xx; one copy per delivery is
 * stored and applied; the rest are answered as duplicates.
 */
import { expect } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../../support/handoff.ts';
import { distinctBodies, orderIdOf } from './distinct-bodies.ts';
import { expectEachEffectOnce, expectPurchasesApplied } from './effect-checks.ts';

/** Deliveries whose six copies are in flight together; bounds the load on the test database. */
const DELIVERIES_AT_ONCE = 16;

async function post(handoff: TestHandoff, body: string): Promise<{ status: number; outcome: string }> {
  const response = await handoff.server.inject({
    method: 'POST',
    url: '/webhooks/thrivecart',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: body,
  });
  return { status: response.statusCode, outcome: String(response.json<{ status?: unknown }>().status) };
}

async function sendSixTimes(handoff: TestHandoff, body: string): Promise<{ status: number; outcome: string }[]> {
  const inSequence = [await post(handoff, body), await post(handoff, body), await post(handoff, body)];
  const atOnce = await Promise.all([post(handoff, body), post(handoff, body), post(handoff, body)]);
  return [...inSequence, ...atOnce];
}

export async function runDuplicatesScenario(deliveries: number): Promise<void> {
  const handoff = await startTestHandoff();
  try {
    const bodies = distinctBodies('purchase', 1, deliveries, { extraItems: ['bump-12'] });
    const answers: { status: number; outcome: string }[][] = [];
    for (let first = 0; first < bodies.length; first += DELIVERIES_AT_ONCE) {
      answers.push(
        ...(await Promise.all(
          bodies.slice(first, first + DELIVERIES_AT_ONCE).map((body) => sendSixTimes(handoff, body)),
        )),
      );
    }
    for (const copies of answers) {
      expect(copies.every((copy) => copy.status === 200)).toBe(true);
      expect(copies.map((copy) => copy.outcome).sort()).toEqual([
        'applied',
        'duplicate',
        'duplicate',
        'duplicate',
        'duplicate',
        'duplicate',
      ]);
    }
    const db = handoff.runtime.ctx.pool;
    const stored = await db.query<{ count: number }>(`select count(*)::int as count from deliveries`);
    expect(stored.rows[0]!.count).toBe(deliveries);
    await expectEachEffectOnce(db);
    await expectPurchasesApplied(
      db,
      Array.from({ length: deliveries }, (_, index) => orderIdOf(index + 1)),
    );
  } finally {
    await handoff.close();
  }
}
