/**
 * The console-pages part of `npm run bench` on its own, without the ingest loads before it:
 * `node --import tsx bench/console-problems.ts`. Starts a Handoff of its own, posts one purchase,
 * seeds 100,000 contacts (as the access benchmark does) and as many applied purchases copied from
 * that one, one for each seeded contact (about what the full run's ingest leaves), then prints each page's median load time.
 */
import pg from 'pg';
import { startEmbeddedPostgres } from '../src/adapters/store/embedded-postgres.ts';
import {
  createHandoffHome,
  freePort,
  sleep,
  spawnHandoff,
  SPAWNED_ADMIN_TOKEN,
} from '../test/reliability/support/spawned-handoff.ts';
import { usingHandoff } from './using-handoff.ts';
import { distinctBodies, emailOf } from '../test/reliability/support/distinct-bodies.ts';
import { ACCESS_CONTACTS, seedAccessContacts } from './access.ts';
import { measureConsolePages } from './console-pages.ts';
import { postThriveCartForm } from './load.ts';

async function seedDeliveries(connectionString: string, templateEmail: string): Promise<void> {
  const client = new pg.Client({ connectionString });
  await client.connect();
  try {
    await client.query(
      `insert into deliveries (source, dedup_key, received_at, event_name, occurred_at, live, body, event, status, reason, contact_id)
       select d.source, d.dedup_key || ':copy-' || n, d.received_at, d.event_name, d.occurred_at, d.live, d.body, d.event, d.status, d.reason, copy.id
         from deliveries d join contacts c on c.id = d.contact_id, generate_series(1, $2::int) as n
         join contacts copy on copy.email = 'access-' || n || '@example.com' where c.email = $1`,
      [templateEmail, ACCESS_CONTACTS],
    );
    await client.query('analyze deliveries');
  } finally {
    await client.end();
  }
}

async function main(): Promise<void> {
  const home = await createHandoffHome('handoff-bench-console-');
  const server = await spawnHandoff({ home, port: await freePort() });
  await usingHandoff(
    server,
    async () => {
      const { connectionString } = await startEmbeddedPostgres({ dataDir: home.dataDir });
      await sleep(1_000);
      await postThriveCartForm(server.url, distinctBodies('purchase', 1, 1)[0]!);
      console.log(`seeding ${ACCESS_CONTACTS} contacts and as many purchases…`);
      await seedAccessContacts(connectionString, emailOf(1));
      await seedDeliveries(connectionString, emailOf(1));
      const medians = await measureConsolePages(server.url, SPAWNED_ADMIN_TOKEN, emailOf(1));
      for (const [path, ms] of Object.entries(medians)) console.log(`${path.padEnd(32)} ${ms} ms`);
    },
    home.remove,
  );
}

await main();
