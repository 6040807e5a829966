import { afterEach, describe, expect, it } from 'vitest';
import type { SimulatedEvent, SimulateOptions } from '../../src/adapters/sources/thrivecart/build-body.ts';
import { receiveNewBuyer } from '../../src/app/intake/receive-new-buyer.ts';
import { deliveryToStore, storeAndApply } from '../../src/app/intake/receive-thrivecart.ts';
import { insertDelivery } from '../../src/adapters/store/deliveries.ts';
import { replayLedger } from '../../src/app/ledger/replay-ledger.ts';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';
import { testConfig } from '../support/test-config.ts';
import { testDeliveryFields } from '../support/test-delivery.ts';

/**
 * One set of intake rules: the same deliveries leave the same rows whichever path wrote them.
 * The paths: the new buyer's statement (tried first for every delivery here, not only purchases,
 * falling back to the ordinary path when the person is known), the ordinary path alone, and the
 * HTTP intake (which picks). Each runs on a fresh database with the same clock, with and without a
 * webhook endpoint, for new buyers (a purchase; a failed payment, which opens a dunning case) and
 * known ones (a second purchase, a change of name).
 */

type Path = 'new-buyer statement first' | 'ordinary path only' | 'HTTP intake' | 'full replay';
const PATHS: Path[] = ['new-buyer statement first', 'ordinary path only', 'HTTP intake'];

const START = Date.parse('2026-03-02T09:00:00Z');
const WEBHOOK_SECRET = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';

function config(withEndpoint: boolean): ReturnType<typeof testConfig> {
  const crm = 'crm:\n  - { provider: memory }\n';
  const webhooks = `webhooks:
  allowPrivateNetworks: true
  endpoints:
    - { name: members-site, url: "http://127.0.0.1:9/hook", secret: ${WEBHOOK_SECRET}, events: all }
`;
  return testConfig(withEndpoint ? crm + webhooks : crm);
}

/** The deliveries, in order: who sends what, and whether the person is new at that point. */
const SCRIPT: {
  event: SimulatedEvent;
  options: Partial<SimulateOptions> & { email: string; item?: string };
  buyer: 'new' | 'known';
}[] = [
  {
    event: 'purchase',
    options: {
      email: 'ada@example.com',
      item: 'product-40',
      orderId: '9001',
      recurring: true,
      customerId: 'c-ada',
      firstName: 'Ada',
    },
    buyer: 'new',
  },
  {
    event: 'failed',
    options: {
      email: 'grace@example.com',
      item: 'product-40',
      orderId: '9002',
      customerId: 'c-grace',
      firstName: 'Grace',
    },
    buyer: 'new',
  },
  {
    event: 'purchase',
    options: { email: 'ada@example.com', item: 'product-12', orderId: '9003', customerId: 'c-ada', firstName: 'Ada' },
    buyer: 'known',
  },
  {
    event: 'purchase',
    options: { email: 'ada@example.com', item: 'bump-12', orderId: '9004', customerId: 'c-ada', firstName: 'Augusta' },
    buyer: 'known',
  },
  {
    event: 'purchase',
    options: { email: 'linus@example.com', item: 'product-12', orderId: '9005', firstName: 'Linus' },
    buyer: 'new',
  },
];

async function runScript(handoff: TestHandoff, path: Path, script = SCRIPT): Promise<void> {
  const { ctx } = handoff.runtime;
  for (const [index, step] of script.entries()) {
    handoff.clock.set(START + index * 60_000);
    if (path === 'HTTP intake') {
      const sent = await handoff.send(step.event, step.options);
      expect(sent.body).toMatchObject({ status: 'applied' });
      continue;
    }
    const fields = testDeliveryFields(step.event, {
      occurredAt: new Date(handoff.clock.now()),
      ...step.options,
    });
    const delivery = deliveryToStore(ctx, fields);
    expect(delivery.status).toBe('applied');
    if (path === 'full replay') {
      // Stored without being applied (as after a failure since fixed), then attached by a full replay.
      expect(
        await insertDelivery(ctx.pool, { ...delivery, status: 'failed', reason: 'not applied yet' }),
      ).not.toBeNull();
      const report = await replayLedger(ctx, { dryRun: false });
      expect(report.reclassified).toEqual([expect.objectContaining({ from: 'failed', to: 'applied' })]);
      continue;
    }
    if (path === 'new-buyer statement first') {
      const before = await dump(handoff);
      const created = await receiveNewBuyer(ctx, delivery, delivery.event!);
      if (step.buyer === 'new') {
        expect(created).toMatchObject({ kind: 'created' });
        continue;
      }
      // A known person: the statement wrote nothing, and the ordinary path decides.
      expect(created).toBeNull();
      expect(await dump(handoff)).toEqual(before);
    }
    expect(await storeAndApply(ctx, delivery)).toMatchObject({ status: 'applied' });
  }
}

type Row = Record<string, unknown>;

/**
 * Every row a delivery can leave, with generated ids replaced by their rank in the table (ids
 * differ between paths: the new buyer's delivery ids are reserved a block at a time) and message
 * ids (random) dropped; references to ids (in keys, bodies and ledgers) are rewritten the same way.
 */
async function dump(
  handoff: TestHandoff,
): Promise<
  Record<
    'deliveries' | 'contacts' | 'jobs' | 'dunningCases' | 'webhookMessages' | 'webhookDeliveries' | 'announcedDetails',
    Row[]
  >
> {
  const db = handoff.runtime.ctx.pool;
  const read = async (sql: string): Promise<Row[]> => (await db.query<Row>(sql)).rows;
  const deliveries = await read(`select * from deliveries order by received_at, dedup_key`);
  const contacts = await read(`select * from contacts order by id`);
  const dunningCases = await read(`select * from dunning_cases order by id`);
  const webhookDeliveries = await read(`select * from webhook_deliveries order by id`);
  const messages = await read(`select * from webhook_messages order by created_at, type, body`);
  const rank = (rows: Row[]): Map<string, number> => new Map(rows.map((row, index) => [String(row.id), index + 1]));
  const deliveryRank = rank(deliveries);
  const contactRank = rank(contacts);
  const caseRank = rank(dunningCases);
  const messageRank = rank(messages);
  const webhookDeliveryRank = rank(webhookDeliveries);
  const of = (ranks: Map<string, number>, id: unknown): unknown =>
    id === null ? null : (ranks.get(String(id)) ?? `unknown ${String(id)}`);
  // Ledgers cite deliveries (as causes) and webhook bodies cite contacts.
  const rewrite = (value: unknown): unknown =>
    JSON.parse(JSON.stringify(value), (key, inner: unknown) =>
      key === 'deliveryId' ? of(deliveryRank, inner) : key === 'contactId' ? of(contactRank, inner) : inner,
    );
  const jobKey = (kind: string, key: string): unknown => {
    if (kind === 'webhook.deliver') return of(webhookDeliveryRank, key);
    if (kind.startsWith('dunning.')) {
      const [caseId, step] = key.split(':');
      return `${String(of(caseRank, caseId))}:${step}`;
    }
    return of(contactRank, key);
  };
  const jobs = await read(`select kind, key, payload, run_at, state, attempts from jobs`);
  return {
    deliveries: deliveries.map(({ id: _id, contact_id, event, ...row }) => ({
      ...row,
      contact: of(contactRank, contact_id),
      event: rewrite(event),
    })),
    contacts: contacts.map(({ id: _id, ledger, ...row }) => ({ ...row, ledger: rewrite(ledger) })),
    jobs: jobs
      .map((job) => ({ ...job, key: jobKey(String(job.kind), String(job.key)) }))
      .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))),
    dunningCases: dunningCases.map(({ id: _id, contact_id, ...row }) => ({
      ...row,
      contact: of(contactRank, contact_id),
    })),
    webhookMessages: messages.map(({ id: _id, contact_id, body, ...row }) => ({
      ...row,
      contact: of(contactRank, contact_id),
      body: rewrite(JSON.parse(String(body))),
    })),
    webhookDeliveries: webhookDeliveries.map(({ id: _id, message_id, ...row }) => ({
      ...row,
      message: of(messageRank, message_id),
    })),
    announcedDetails: (await read(`select * from webhook_contact_details order by contact_id`)).map(
      ({ contact_id, ...row }) => ({ ...row, contact: of(contactRank, contact_id) }),
    ),
  };
}

describe('a new contact is written the same way on every path', () => {
  const running: TestHandoff[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((handoff) => handoff.close()));
  });

  it.each([false, true])('leaves identical rows on every path (webhook endpoint: %s)', async (withEndpoint) => {
    const dumps = new Map<Path, Awaited<ReturnType<typeof dump>>>();
    for (const path of PATHS) {
      const handoff = await startTestHandoff({ config: config(withEndpoint) });
      running.push(handoff);
      await runScript(handoff, path);
      dumps.set(path, await dump(handoff));
    }
    const reference = dumps.get('ordinary path only')!;
    // The script reaches every kind of row, so "identical" is not identical emptiness.
    expect(reference.contacts).toHaveLength(3);
    expect(reference.dunningCases).toHaveLength(1);
    expect(reference.jobs.map((job) => job.kind)).toEqual(
      expect.arrayContaining(['crm.sync:memory', 'contact.recompute', 'dunning.email']),
    );
    if (withEndpoint) {
      expect(reference.webhookMessages.map((message) => message.type)).toEqual(
        expect.arrayContaining(['access.granted', 'dunning.opened', 'contact.updated']),
      );
      expect(reference.announcedDetails).toHaveLength(3);
    } else {
      expect(reference.webhookMessages).toEqual([]);
    }
    for (const path of PATHS) expect({ path, rows: dumps.get(path) }).toEqual({ path, rows: reference });
  });

  it.each([false, true])(
    'a full replay creates a new person with the rows the intake writes (webhook endpoint: %s)',
    async (withEndpoint) => {
      // One person per database: a replay re-folds everyone it finds with its own clock, and
      // attaches a known person's deliveries without the intake's announcements.
      const newPeople = SCRIPT.filter((step) => step.buyer === 'new');
      for (const person of newPeople) {
        const dumps = new Map<Path, Awaited<ReturnType<typeof dump>>>();
        for (const path of ['ordinary path only', 'full replay'] as const) {
          const handoff = await startTestHandoff({ config: config(withEndpoint) });
          running.push(handoff);
          await runScript(handoff, path, [person]);
          dumps.set(path, await dump(handoff));
        }
        const reference = dumps.get('ordinary path only')!;
        expect(reference.contacts).toHaveLength(1);
        expect(reference.jobs).not.toEqual([]);
        expect({ person: person.options.email, rows: dumps.get('full replay') }).toEqual({
          person: person.options.email,
          rows: reference,
        });
      }
    },
  );
});
