/**
 * The launch benchmark (`crmLaunch` in bench/results.json; `npm run bench:crm-launch` runs it on
 * its own): a Handoff of its own (`handoff serve` in a separate process) with an
 * ActiveCampaign-compatible fake held to AC's budget (5 requests/s, 429 beyond), behind a proxy
 * that answers every FAIL_EVERY-th request with a transient 500 instead of passing it on, and an
 * AccessAlly site with both webhooks configured. BUYERS purchases arrive within a few seconds;
 * the bench watches the fake CRM and records, per buyer, when their access tag arrived.
 */
import { writeFile, readFile } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  createHandoffHome,
  freePort,
  sleep,
  spawnHandoff,
  SPAWNED_CONFIG_YAML,
} from '../test/reliability/support/spawned-handoff.ts';
import { usingHandoff } from './using-handoff.ts';
import { distinctBodies } from '../test/reliability/support/distinct-bodies.ts';
import { startActiveCampaignFake } from '../test/support/crm-fakes/activecampaign.ts';
import type { FakeCrmState } from '../test/support/crm-fakes/fake-crm-state.ts';
import { percentile, postThriveCartForm, round } from './load.ts';

const TOKEN = 'bench-launch-activecampaign-key';
const BUYERS = Number(process.env.BENCH_LAUNCH_BUYERS ?? 60);
/** Purchases arrive over this long ("60 buyers within seconds"). */
const ARRIVAL_SECONDS = 3;
/** One request in this many is answered 500 by the proxy (0: none). */
const FAIL_EVERY = Number(process.env.BENCH_LAUNCH_FAIL_EVERY ?? 25);
const ACCESS_TAG = 'Focus - Access';
const ALL_TAGS = ['Bought Focus', 'Focus - Access'];
/**
 * Deliveries in flight at once: a sender keeps a pool of connections, and Handoff refuses more than
 * 256 from one address (src/http/http-settings.ts), which 1,000 purchases in 3 s opened at once.
 */
const SENDER_CONNECTIONS = 32;
const WATCH_MS = 20;
/** Generous: at 5 requests/s and about 4.3 requests a buyer, 1,000 buyers drain in about 15 min. */
const GIVE_UP_MS = Math.max(15 * 60_000, BUYERS * 2_000);

export interface CrmLaunchResult {
  buyers: number;
  arrivalSeconds: number;
  budget: string;
  transient500Every: number;
  requests: number;
  requestsPerBuyer: number;
  throttled429: number;
  transient500: number;
  accessTagP50Seconds: number;
  accessTagP99Seconds: number;
  accessTagMaxSeconds: number;
  drainSeconds: number;
  accessAllyCreateCalls: number;
}

export async function crmLaunchBenchmark(): Promise<CrmLaunchResult> {
  const home = await createHandoffHome('handoff-crm-launch-');
  const crm = await startActiveCampaignFake(TOKEN);
  const proxy = await startFlakyProxy(crm.url, FAIL_EVERY);
  const site = await startSiteCounter();
  await writeFile(
    home.configPath,
    `${SPAWNED_CONFIG_YAML}crm:\n  - { provider: activecampaign, baseUrl: "${proxy.url}", apiKey: "${TOKEN}" }\n` +
      `accessally:\n  webhookUrl: "${site.url}/?aal_updateuser=bench"\n  newUserWebhookUrl: "${site.url}/?aal_genpass=bench"\n`,
  );
  const server = await spawnHandoff({ home, port: await freePort() });
  const measure = async (): Promise<CrmLaunchResult> => {
    const bodies = distinctBodies('purchase', 900_001, BUYERS);
    const emails = bodies.map((body) => decodeURIComponent(/customer%5Bemail%5D=([^&]+)/.exec(body)![1]!));
    const purchasedAt = new Map<string, number>();
    const accessAt = new Map<string, number>();
    const doneAt = new Map<string, number>();
    const watcher = setInterval(() => {
      const now = performance.now();
      // One pass over the fake's state per tick: looking each buyer up on its own is quadratic and,
      // at 1,000 buyers, kept this process (which also runs the fake CRM) too busy to answer Handoff.
      const tagsByEmail = tagNamesByEmail(crm.state);
      for (const email of emails) {
        if (doneAt.has(email)) continue;
        const tags = tagsByEmail.get(email.toLowerCase()) ?? [];
        if (!accessAt.has(email) && tags.includes(ACCESS_TAG)) accessAt.set(email, now);
        if (ALL_TAGS.every((tag) => tags.includes(tag))) doneAt.set(email, now);
      }
    }, WATCH_MS);
    const started = performance.now();
    const sender = connectionLimit(SENDER_CONNECTIONS);
    await Promise.all(
      bodies.map(async (body, index) => {
        await sleep((index * ARRIVAL_SECONDS * 1000) / BUYERS);
        purchasedAt.set(emails[index]!, performance.now());
        await sender(() => postThriveCartForm(server.url, body));
      }),
    );
    while (doneAt.size < BUYERS || site.creates() < BUYERS) {
      if (performance.now() - started > GIVE_UP_MS)
        throw new Error(`after ${GIVE_UP_MS / 60_000} min only ${doneAt.size} of ${BUYERS} buyers hold every tag`);
      await sleep(100);
    }
    clearInterval(watcher);
    const drainedAt = performance.now();
    const waits = emails.map((email) => (accessAt.get(email)! - purchasedAt.get(email)!) / 1000);
    return {
      buyers: BUYERS,
      arrivalSeconds: ARRIVAL_SECONDS,
      budget: '5 requests/s (ActiveCampaign, per account)',
      transient500Every: FAIL_EVERY,
      requests: proxy.requests(),
      requestsPerBuyer: round(proxy.requests() / BUYERS, 2),
      throttled429: proxy.throttled(),
      transient500: proxy.failed(),
      accessTagP50Seconds: round(percentile(waits, 50), 1),
      accessTagP99Seconds: round(percentile(waits, 99), 1),
      accessTagMaxSeconds: round(Math.max(...waits), 1),
      drainSeconds: round((drainedAt - started) / 1000, 1),
      accessAllyCreateCalls: site.creates(),
    };
  };
  return usingHandoff(server, measure, async () => {
    await home.remove();
    await proxy.close();
    await site.close();
    await crm.close();
  });
}

/** Runs at most `limit` of the given tasks at once, the rest in the order they were given. */
function connectionLimit(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: (() => void)[] = [];
  return async (task) => {
    if (running >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}

function tagNamesByEmail(state: FakeCrmState): Map<string, string[]> {
  const emailOf = new Map<number, string>();
  for (const contact of state.contacts.values()) emailOf.set(contact.id, contact.email.toLowerCase());
  const tagsByEmail = new Map<string, string[]>();
  for (const { contactId, tagId } of state.associations.values()) {
    const email = emailOf.get(contactId);
    const name = state.tags.get(tagId)?.name;
    if (email === undefined || name === undefined) continue;
    tagsByEmail.set(email, [...(tagsByEmail.get(email) ?? []), name]);
  }
  return tagsByEmail;
}

/** Passes requests to the fake CRM, except every `failEvery`-th, answered 500 at once; counts answers. */
async function startFlakyProxy(
  target: string,
  failEvery: number,
): Promise<{ url: string; requests(): number; failed(): number; throttled(): number; close(): Promise<void> }> {
  let requests = 0;
  let failed = 0;
  let throttled = 0;
  const targetUrl = new URL(target);
  const server = createServer((incoming, outgoing) => {
    requests += 1;
    if (failEvery > 0 && requests % failEvery === 0) {
      failed += 1;
      incoming.resume();
      outgoing.writeHead(500, { 'content-type': 'text/html' }).end('<h1>500 Internal Server Error</h1>');
      return;
    }
    const forwarded = httpRequest(
      {
        host: targetUrl.hostname,
        port: targetUrl.port,
        method: incoming.method,
        path: incoming.url,
        headers: incoming.headers,
      },
      (answer) => {
        if (answer.statusCode === 429) throttled += 1;
        outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(outgoing);
      },
    );
    forwarded.on('error', () => outgoing.writeHead(502).end());
    incoming.pipe(forwarded);
  });
  await listen(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests: () => requests,
    failed: () => failed,
    throttled: () => throttled,
    close: () => close(server),
  };
}

/** The AccessAlly site: answers 200 and counts create-user calls. */
async function startSiteCounter(): Promise<{ url: string; creates(): number; close(): Promise<void> }> {
  let creates = 0;
  const server = createServer((incoming, outgoing) => {
    if ((incoming.url ?? '').includes('aal_genpass')) creates += 1;
    incoming.resume();
    incoming.on('end', () => outgoing.writeHead(200).end('ok'));
  });
  await listen(server);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    creates: () => creates,
    close: () => close(server),
  };
}

function listen(server: Server): Promise<void> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}

/** Run on its own: measures, prints, and puts `crmLaunch` into bench/results.json beside the other figures. */
async function main(): Promise<void> {
  const loadAverageAtStart = loadavg().map((value) => round(value));
  const result = await crmLaunchBenchmark();
  const conditions = {
    cpuCount: cpus().length,
    node: process.version,
    date: new Date().toISOString(),
    loadAverageAtStart,
    loadAverageAtEnd: loadavg().map((value) => round(value)),
  };
  const path = join(import.meta.dirname, 'results.json');
  const results = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  results.crmLaunch = { ...result, conditions };
  await writeFile(path, `${JSON.stringify(results, null, 2)}\n`);
  console.log(JSON.stringify(results.crmLaunch, null, 2));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
