/**
 * Replay: rebuild the ledger from 100,000 stored deliveries through the composition root, as
 * `handoff replay` does. The deliveries already stored by the ingest runs are topped up to that
 * number with subscription histories (a purchase and a renewal per contact), written in bulk as
 * the intake would have stored them: same parser, normaliser, redaction and dedup key.
 */
import { pino } from 'pino';
import { thrivecartDedupKey } from '../src/adapters/sources/thrivecart/dedup-key.ts';
import { normaliseThriveCart } from '../src/adapters/sources/thrivecart/normalise.ts';
import { parseFormBody } from '../src/adapters/sources/thrivecart/parse-body.ts';
import { redactSecret } from '../src/adapters/sources/thrivecart/redact.ts';
import { replayLedger } from '../src/app/ledger/replay-ledger.ts';
import { loadConfig } from '../src/config/load-config.ts';
import { connectRuntime } from '../src/main.ts';
import { distinctBodies } from '../test/reliability/support/distinct-bodies.ts';
import { round } from './load.ts';
import { DAY_MS } from '../src/core/time.ts';

export const REPLAY_DELIVERIES = 100_000;
const BATCH = 2_000;
/** Numbers far from the ingest bodies', so the histories belong to contacts of their own. */
const FIRST_REPLAY_CUSTOMER = 5_000_000_000;

export async function replayBenchmark(options: {
  connectionString: string;
  configPath: string;
  env: NodeJS.ProcessEnv;
}): Promise<{ events: number; seconds: number; contacts: number }> {
  const config = loadConfig(options.configPath, options.env);
  const runtime = await connectRuntime({
    config,
    connectionString: options.connectionString,
    dataDir: '/nonexistent',
    log: pino({ level: 'silent' }),
  });
  try {
    const pool = runtime.ctx.pool;
    const stored = (await pool.query<{ count: number }>('select count(*)::int as count from deliveries')).rows[0]!
      .count;
    const contactsToAdd = Math.max(0, Math.ceil((REPLAY_DELIVERIES - stored) / 2));
    const purchasedAt = new Date(Date.now() - 40 * DAY_MS);
    for (let first = 0; first < contactsToAdd; first += BATCH) {
      const count = Math.min(BATCH, contactsToAdd - first);
      const start = FIRST_REPLAY_CUSTOMER + first;
      const purchases = distinctBodies('purchase', start, count, {
        item: 'product-40',
        recurring: true,
        occurredAt: purchasedAt,
      });
      const renewals = distinctBodies('renewal', start, count, {
        item: 'product-40',
        paymentIndex: 1,
        occurredAt: new Date(purchasedAt.getTime() + 30 * DAY_MS),
      });
      await insertHistories(pool, purchases, renewals);
    }
    const total = (await pool.query<{ count: number }>('select count(*)::int as count from deliveries')).rows[0]!.count;
    const started = performance.now();
    const report = await replayLedger(runtime.ctx, { dryRun: false });
    const seconds = round((performance.now() - started) / 1000);
    if (report.deliveries !== total) throw new Error(`replay saw ${report.deliveries} deliveries, ${total} stored`);
    return { events: report.deliveries, seconds, contacts: report.contacts };
  } finally {
    await runtime.close();
  }
}

interface StoredForm {
  dedupKey: string;
  eventName: string;
  occurredAt: number;
  body: string;
  event: string;
  email: string;
  customerId: string;
}

function stored(raw: string): StoredForm {
  const fields = parseFormBody(raw);
  const event = normaliseThriveCart(fields);
  if (event.kind === 'ignored') throw new Error(`seed delivery ignored: ${event.reason}`);
  return {
    dedupKey: thrivecartDedupKey(fields),
    eventName: String(fields.event),
    occurredAt: event.occurredAt,
    body: JSON.stringify(redactSecret(fields)),
    event: JSON.stringify(event),
    email: event.customer.email,
    customerId: event.customer.thrivecartId ?? '',
  };
}

/** One contact per purchase, then both deliveries attached to it, in three statements per batch. */
async function insertHistories(pool: import('pg').Pool, purchases: string[], renewals: string[]): Promise<void> {
  const first = purchases.map(stored);
  const second = renewals.map(stored);
  const contacts = await pool.query<{ id: number; email: string }>(
    `insert into contacts (email, thrivecart_customer_id, first_name, last_name, details_as_of, created_at, updated_at)
     select email, customer_id, 'Sam', 'Rivera', to_timestamp(at / 1000.0), now(), now()
       from unnest($1::text[], $2::text[], $3::float8[]) as source(email, customer_id, at)
     returning id, email`,
    [first.map((row) => row.email), first.map((row) => row.customerId), first.map((row) => row.occurredAt)],
  );
  const idByEmail = new Map(contacts.rows.map((row) => [row.email, row.id]));
  const rows = [...first, ...second];
  await pool.query(
    `insert into deliveries (source, dedup_key, received_at, event_name, occurred_at, live, body, event, status, contact_id)
     select 'thrivecart', dedup_key, now(), event_name, to_timestamp(at / 1000.0), true, body, event, 'applied', contact_id
       from unnest($1::text[], $2::text[], $3::float8[], $4::jsonb[], $5::jsonb[], $6::bigint[]) as source(dedup_key, event_name, at, body, event, contact_id)`,
    [
      rows.map((row) => row.dedupKey),
      rows.map((row) => row.eventName),
      rows.map((row) => row.occurredAt),
      rows.map((row) => row.body),
      rows.map((row) => row.event),
      rows.map((row) => idByEmail.get(row.email)!),
    ],
  );
}
