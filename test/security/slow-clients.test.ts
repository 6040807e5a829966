import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestHandoff, type TestHandoff } from '../support/handoff.ts';

/** Short limits so the test is quick; production uses DEFAULT_HTTP_SETTINGS (30 s for a whole request). */
const LIMITS = {
  requestTimeoutMs: 1_000,
  headersTimeoutMs: 1_000,
  timeoutCheckIntervalMs: 100,
  maxConnectionsPerClient: 3,
};
/** How long the test keeps trickling before it calls the connection "never closed" (far beyond the limit). */
const GIVE_UP_AFTER_BYTES = 100;

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => resolve(socket));
    socket.once('error', reject);
  });
}

function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

describe('clients that hold connections open', () => {
  let handoff: TestHandoff;
  let port = 0;
  beforeAll(async () => {
    handoff = await startTestHandoff({ http: LIMITS });
    port = Number(new URL(await handoff.server.listen({ port: 0, host: '127.0.0.1' })).port);
  });
  afterAll(() => handoff.close());

  it('closes a connection whose body arrives one byte at a time', async () => {
    const socket = await open(port);
    socket.on('error', () => undefined);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    const isClosed = closed(socket).then(() => true);
    socket.write(
      `POST /webhooks/thrivecart HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: ${GIVE_UP_AFTER_BYTES * 2}\r\n\r\n`,
    );
    let sent = 0;
    while (sent < GIVE_UP_AFTER_BYTES && !socket.destroyed) {
      socket.write('a');
      sent += 1;
      const outcome = await Promise.race([
        isClosed,
        new Promise<false>((resolve) => setTimeout(() => resolve(false), 200)),
      ]);
      if (outcome) break;
    }
    expect(await Promise.race([isClosed, Promise.resolve(false)])).toBe(true);
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
  }, 60_000);

  it('closes a connection whose headers never finish', async () => {
    const socket = await open(port);
    socket.on('error', () => undefined);
    const isClosed = closed(socket).then(() => true);
    socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
    for (let header = 0; header < GIVE_UP_AFTER_BYTES && !socket.destroyed; header++) {
      socket.write(`X-Slow-${header}: 1\r\n`);
      if (await Promise.race([isClosed, new Promise<false>((resolve) => setTimeout(() => resolve(false), 200))])) break;
    }
    expect(await Promise.race([isClosed, Promise.resolve(false)])).toBe(true);
  }, 60_000);

  it('caps the connections one address holds at once, and serves the ones within the cap', async () => {
    const held = await Promise.all(Array.from({ length: LIMITS.maxConnectionsPerClient }, () => open(port)));
    const extra = await open(port);
    extra.on('error', () => undefined);
    await closed(extra);
    expect(extra.destroyed).toBe(true);

    const [first] = held;
    const reply = new Promise<string>((resolve) => first!.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    first!.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
    expect(await reply).toMatch(/^HTTP\/1\.1 200/);
    for (const socket of held) socket.destroy();
    await Promise.all(held.map(closed));
    // Freed slots are usable again.
    const answer = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(answer.status).toBe(200);
  });
});
