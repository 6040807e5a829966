/**
 * The embedded PostgreSQL under a running `handoff serve`, killed from outside: the postmaster
 * itself (kill -9) must be brought back by Handoff, with the data committed before; and after
 * Handoff itself was killed and started again, the server it adopted must be stopped by its
 * clean stop instead of being left running with no owner.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { distinctBodies } from './support/distinct-bodies.ts';
import {
  createHandoffHome,
  freePort,
  sleep,
  spawnHandoff,
  type HandoffHome,
  type SpawnedHandoff,
} from './support/spawned-handoff.ts';

/** A bound, not a timing assertion: a restart with crash recovery takes a few seconds on a loaded machine. */
const RECOVERY_DEADLINE_MS = 90_000;

describe('the embedded PostgreSQL of a running Handoff', () => {
  let home: HandoffHome;
  let handoff: SpawnedHandoff;
  const [before, after, last] = distinctBodies('purchase', 1, 3);
  beforeAll(async () => {
    home = await createHandoffHome('handoff-embedded-lifecycle-');
    handoff = await spawnHandoff({ home, port: await freePort() });
  });
  afterAll(async () => {
    await handoff.stop();
    await home.remove();
  });

  it(
    'is started again when its postmaster is killed: /healthz comes back to 200, the data is there and deliveries are taken',
    async () => {
      expect(await deliver(handoff, before!)).toBe(200);
      const killed = await postmasterPid(home);
      process.kill(killed!, 'SIGKILL');

      // The killed server's backends can answer for a moment after their postmaster is gone: wait for a new one.
      const deadline = Date.now() + RECOVERY_DEADLINE_MS;
      const restarted = /PostgreSQL in .* restarted \(pid \d+\)/;
      while (
        [undefined, killed].includes(await postmasterPid(home)) ||
        !restarted.test(handoff.output()) ||
        (await healthz(handoff)) !== 200
      ) {
        if (Date.now() > deadline)
          throw new Error(
            `/healthz still not 200 ${RECOVERY_DEADLINE_MS / 1000} s after the kill:\n${handoff.output()}`,
          );
        await sleep(200);
      }
      expect(handoff.alive()).toBe(true);
      expect(handoff.output()).toMatch(/PostgreSQL in .* is gone/);
      expect(await deliver(handoff, after!)).toBe(200);
      // The delivery acknowledged before the kill survived it: a resend is a duplicate.
      expect(await deliverStatus(handoff, before!)).toBe('duplicate');
    },
    RECOVERY_DEADLINE_MS + 30_000,
  );

  it('is stopped by the clean stop of a Handoff that adopted it after being killed', async () => {
    await handoff.kill();
    const left = await postmasterPid(home);
    expect(await isRunningPostgres(left), 'the detached server outlives a killed Handoff').toBe(true);

    await handoff.restart();
    expect(await postmasterPid(home), 'the restarted Handoff reuses the server left running').toBe(left);
    expect(await deliver(handoff, last!)).toBe(200);
    await handoff.stop();

    // PostgreSQL removes postmaster.pid as the last step of a clean shutdown.
    expect(await postmasterPid(home)).toBeUndefined();
  });
});

async function deliver(handoff: SpawnedHandoff, body: string): Promise<number> {
  const response = await post(handoff, body);
  await response.text();
  return response.status;
}

async function deliverStatus(handoff: SpawnedHandoff, body: string): Promise<unknown> {
  return ((await (await post(handoff, body)).json()) as { status?: unknown }).status;
}

function post(handoff: SpawnedHandoff, body: string): Promise<Response> {
  return fetch(`${handoff.url}/webhooks/thrivecart`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
}

async function healthz(handoff: SpawnedHandoff): Promise<number> {
  const response = await fetch(`${handoff.url}/healthz`);
  await response.text();
  return response.status;
}

async function postmasterPid(home: HandoffHome): Promise<number | undefined> {
  const text = await readFile(join(home.dataDir, 'pg', 'postmaster.pid'), 'utf8').catch(() => '');
  const pid = Number(text.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

/** Alive (not a zombie) and a PostgreSQL process. */
async function isRunningPostgres(pid: number | undefined): Promise<boolean> {
  const stat = pid === undefined ? '' : await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => '');
  return /^\d+ \(postgres\) [^ZX]/.test(stat);
}
