/**
 * Database connections dropped under a running `handoff serve`: while a ThriveCart stand-in sends
 * a burst of purchases mixed with failed payments of earlier buyers (each applied to a known
 * contact in a transaction of several statements, and each starting dunning jobs), every session of Handoff's database is terminated from outside
 * (`pg_terminate_backend`, what a database restart or a failover does to each connection) several
 * times. The process must survive each drop, answer what was in flight with a 5xx (the sender
 * retries), reconnect, store and apply every delivery exactly once, and take new deliveries after.
 * Handoff's database is one on the run's server (DATABASE_URL): the sessions terminated are its
 * own only, and no cluster is created for it (the embedded server under a running Handoff, killed
 * from outside, is test/reliability/embedded-postgres-lifecycle.test.ts).
 */
import pg from 'pg';
import { expect } from 'vitest';
import { createTestDatabase } from '../../support/database.ts';
import { failedPayments, mixDeliveries, type Delivery } from './crash-email.ts';
import { distinctBodies, orderIdOf } from './distinct-bodies.ts';
import { expectEachEffectOnce, expectPurchasesApplied } from './effect-checks.ts';
import { sendPaced } from './paced-sender.ts';
import { createHandoffHome, freePort, spawnHandoff } from './spawned-handoff.ts';

export interface DroppedConnectionsScenario {
  purchases: number;
  /** Buyers 1 to this number also have their membership payment fail, reported twice. */
  failedPayments: number;
  ratePerSecond: number;
  /** Fractions of the purchases sent (a first time) at which every session of the database is terminated. */
  dropsAt: number[];
}

export async function runDroppedConnectionsScenario({
  purchases,
  failedPayments: failing,
  ratePerSecond,
  dropsAt,
}: DroppedConnectionsScenario): Promise<void> {
  const home = await createHandoffHome('handoff-drops-');
  const database = await createTestDatabase();
  try {
    const server = await spawnHandoff({
      home,
      port: await freePort(),
      env: { DATABASE_URL: database.connectionString },
    });
    // The test's own connection to Handoff's database: its session is spared by each drop.
    const admin = new pg.Pool({ connectionString: database.connectionString, max: 1 });
    try {
      const terminated: number[] = [];
      const bought = distinctBodies('purchase', 1, purchases).map((body, index): Delivery => ({
        kind: 'purchase',
        number: index + 1,
        body,
      }));
      const { failures, retries } = failedPayments(1, failing, Date.now());
      const bodies = mixDeliveries(bought, failures, retries, 3).map((delivery) => delivery.body);
      const report = await sendPaced({
        url: server.url,
        bodies,
        ratePerSecond,
        maxInFlight: 32,
        checkpoints: dropsAt.map((fraction) => ({
          afterFirstSends: Math.round(fraction * bodies.length),
          action: async () => {
            const result = await admin.query<{ count: number }>(
              `select count(*)::int as count from (select pg_terminate_backend(pid) from pg_stat_activity
                where datname = current_database() and pid <> pg_backend_pid() and backend_type = 'client backend') as killed`,
            );
            terminated.push(result.rows[0]!.count);
          },
        })),
      });

      expect(server.alive(), `handoff serve exited:\n${server.output()}`).toBe(true);
      expect(server.output()).not.toMatch(/Unhandled 'error' event|uncaught/i);
      // The drops were real: connections were busy when each came.
      expect(
        terminated.every((count) => count > 0),
        `sessions terminated at each drop: ${terminated.join(', ')}`,
      ).toBe(true);
      expect(report.refusals).toEqual([]);
      expect(report.acknowledged.every(Boolean)).toBe(true);

      const afterwards = distinctBodies('purchase', purchases + 1, 20);
      const late = await sendPaced({ url: server.url, bodies: afterwards, ratePerSecond: 100, maxInFlight: 4 });
      expect(late.retries, 'deliveries after the drops had to be retried').toBe(0);
      expect(late.acknowledged.every(Boolean)).toBe(true);
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);

      const statuses = await admin.query<{ status: string; count: number }>(
        `select status, count(*)::int as count from deliveries group by status`,
      );
      expect(statuses.rows).toEqual([{ status: 'applied', count: bodies.length + afterwards.length }]);
      await expectEachEffectOnce(admin);
      await expectPurchasesApplied(
        admin,
        Array.from({ length: purchases + afterwards.length }, (_, index) => orderIdOf(index + 1)),
      );
    } finally {
      await admin.end();
      await server.stop();
    }
  } finally {
    await database.drop();
    await home.remove();
  }
}
