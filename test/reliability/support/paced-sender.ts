/**
 * A ThriveCart stand-in that keeps its promise of at-least-once delivery: it sends a list of
 * bodies at a steady rate over real HTTP, and re-sends any body that did not get a 2xx (refused
 * connection, reset, timeout, 5xx) until it does.
 */
import { sleep } from './spawned-handoff.ts';

export interface PacedSendOptions {
  url: string;
  bodies: readonly string[];
  ratePerSecond: number;
  maxInFlight: number;
  /** Run (without pausing the sender) once this many bodies have been sent a first time. */
  checkpoints?: { afterFirstSends: number; action: () => Promise<void> }[];
}

export interface PacedSendReport {
  /** Whether each body got a 2xx in the end. */
  acknowledged: boolean[];
  requests: number;
  retries: number;
  /** Answers that a retry cannot fix (4xx): each is a finding. */
  refusals: { index: number; status: number; body: string }[];
}

const RETRY_AFTER_MS = 100;
const REQUEST_TIMEOUT_MS = 15_000;
const MAX_ATTEMPTS_PER_BODY = 200;
const TICK_MS = 5;

export async function sendPaced(options: PacedSendOptions): Promise<PacedSendReport> {
  const acknowledged = options.bodies.map(() => false);
  const attempts = options.bodies.map(() => 0);
  const refusals: PacedSendReport['refusals'] = [];
  const retryQueue: { index: number; notBefore: number }[] = [];
  const checkpoints = [...(options.checkpoints ?? [])].sort((a, b) => a.afterFirstSends - b.afterFirstSends);
  const actions: Promise<void>[] = [];
  let nextFirst = 0;
  let inFlight = 0;
  let requests = 0;
  let retries = 0;
  let settled = 0;
  const started = Date.now();

  const send = async (index: number): Promise<void> => {
    attempts[index]! += 1;
    if (attempts[index]! > MAX_ATTEMPTS_PER_BODY) {
      refusals.push({ index, status: 0, body: `no 2xx after ${MAX_ATTEMPTS_PER_BODY} attempts` });
      settled += 1;
      return;
    }
    inFlight += 1;
    requests += 1;
    try {
      const response = await fetch(`${options.url}/webhooks/thrivecart`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: options.bodies[index],
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const text = await response.text();
      if (response.ok) {
        acknowledged[index] = true;
        settled += 1;
      } else if (response.status >= 500) {
        retryQueue.push({ index, notBefore: Date.now() + RETRY_AFTER_MS });
      } else {
        refusals.push({ index, status: response.status, body: text });
        settled += 1;
      }
    } catch {
      retryQueue.push({ index, notBefore: Date.now() + RETRY_AFTER_MS });
    } finally {
      inFlight -= 1;
    }
  };

  const pending: Promise<void>[] = [];
  while (settled < options.bodies.length) {
    const allowedFirstSends = Math.min(
      options.bodies.length,
      Math.floor(((Date.now() - started) / 1000) * options.ratePerSecond) + 1,
    );
    while (inFlight < options.maxInFlight) {
      const due = retryQueue.length > 0 && retryQueue[0]!.notBefore <= Date.now() ? retryQueue.shift() : undefined;
      if (due) {
        retries += 1;
        pending.push(send(due.index));
      } else if (nextFirst < allowedFirstSends) {
        pending.push(send(nextFirst));
        nextFirst += 1;
        while (checkpoints.length > 0 && nextFirst >= checkpoints[0]!.afterFirstSends)
          actions.push(checkpoints.shift()!.action());
      } else break;
    }
    await sleep(TICK_MS);
  }
  await Promise.all(pending);
  await Promise.all(actions);
  return { acknowledged, requests, retries, refusals };
}
