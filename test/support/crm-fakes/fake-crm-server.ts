/**
 * The machinery every provider fake shares: a real HTTP server on 127.0.0.1 (port 0), a request
 * log, failure modes, and the provider's rate budget enforced over a sliding window. Each
 * provider's file beside this one (`activecampaign.ts`, …) supplies only what differs: routes, auth check and reply shapes.
 *
 * These fakes stand in for the remote service in tests; they are not used in production.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RateBudget } from '../../../src/ports/crm-connector.ts';
import { FakeCrmState } from './fake-crm-state.ts';
import { RATE_LIMITED_MODE_WAIT_SECONDS, type FakeMode } from '../../../src/adapters/crm/fake-mode.ts';
import type { HttpMethod } from '../../../src/adapters/crm/http-client.ts';

export { RATE_LIMITED_MODE_WAIT_SECONDS, type FakeMode } from '../../../src/adapters/crm/fake-mode.ts';

export interface FakeReply {
  status: number;
  json?: unknown;
  text?: string;
  headers?: Readonly<Record<string, string>>;
}

export interface FakeRequest {
  method: string;
  /** Raw (still encoded) path, without the query string. */
  path: string;
  /** Values captured by `:name` segments of the route pattern, URL-decoded. */
  params: Readonly<Record<string, string>>;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Parsed JSON or form body; the raw text for other content; undefined when empty. */
  body: unknown;
}

export interface FakeRoute {
  method: HttpMethod;
  /** Path with `:name` placeholders, e.g. `/api/3/contacts/:id/contactTags`. */
  pattern: string;
  handle(request: FakeRequest): FakeReply;
}

export interface FakeProviderSpec {
  routes: readonly FakeRoute[];
  isAuthorized(request: FakeRequest): boolean;
  unauthorized: FakeReply;
  rateLimited(secondsUntilAllowed: number): FakeReply;
  outage: FakeReply;
  notFound: FakeReply;
  /** Every window the provider enforces; a call must fit all of them. */
  budgets: readonly RateBudget[];
}

export interface LoggedRequest {
  method: string;
  path: string;
  at: number;
}

export interface FakeServerOptions {
  /** Answer 429 once the provider's budget is spent (default true); off for tests that burst. */
  enforceBudget?: boolean;
  now?: () => number;
}

export interface FakeCrmServer {
  url: string;
  state: FakeCrmState;
  requests: LoggedRequest[];
  setMode(mode: FakeMode): void;
  setBudgetEnforcement(enabled: boolean): void;
  /** Answers the next call to `method path` with `reply` instead of the route (quirk tests). */
  replyOnce(method: HttpMethod, path: string, reply: FakeReply): void;
  /**
   * Answers every call with `reply` (undefined: back to the routes), as a misconfigured proxy or a
   * server that is not the provider's would: `{}`, an HTML page, unrelated JSON.
   */
  answerEverything(reply: FakeReply | undefined): void;
  close(): Promise<void>;
}

/** Starts a fake; `describeProvider` builds the provider's routes over the fake's state. */
export async function startFakeCrmServer(
  describeProvider: (state: FakeCrmState) => FakeProviderSpec,
  options: FakeServerOptions = {},
): Promise<FakeCrmServer> {
  const now = options.now ?? Date.now;
  const state = new FakeCrmState();
  const spec = describeProvider(state);
  const requests: LoggedRequest[] = [];
  const scriptedReplies: { method: string; path: string; reply: FakeReply }[] = [];
  const budgetWindow = new SlidingWindow(spec.budgets);
  let mode: FakeMode = 'normal';
  let enforceBudget = options.enforceBudget ?? true;
  let answerToEverything: FakeReply | undefined;

  const replyTo = (request: FakeRequest): FakeReply => {
    const scripted = scriptedReplies.findIndex(
      (entry) => entry.method === request.method && entry.path === request.path,
    );
    if (scripted >= 0) return scriptedReplies.splice(scripted, 1)[0]!.reply;
    if (answerToEverything) return answerToEverything;
    if (mode === 'rate-limited') return spec.rateLimited(RATE_LIMITED_MODE_WAIT_SECONDS);
    if (mode === 'outage') return spec.outage;
    if (!spec.isAuthorized(request)) return spec.unauthorized;
    if (enforceBudget) {
      const waitMs = budgetWindow.admit(now());
      if (waitMs > 0) return spec.rateLimited(Math.ceil(waitMs / 1000));
    }
    for (const route of spec.routes) {
      if (route.method !== request.method) continue;
      const params = matchPattern(route.pattern, request.path);
      if (params) return route.handle({ ...request, params });
    }
    return spec.notFound;
  };

  const server = createServer((incoming, outgoing) => {
    void handle(incoming, outgoing);
  });
  const handle = async (incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> => {
    const url = new URL(incoming.url ?? '/', 'http://fake.invalid');
    const method = incoming.method ?? 'GET';
    requests.push({ method, path: url.pathname, at: now() });
    let reply: FakeReply;
    try {
      const body = await readBody(incoming);
      reply = replyTo({
        method,
        path: url.pathname,
        params: {},
        query: url.searchParams,
        headers: incoming.headers,
        body,
      });
    } catch (error) {
      reply = { status: 500, text: `fake server failure: ${error instanceof Error ? error.message : String(error)}` };
    }
    writeReply(outgoing, reply);
  };

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    state,
    requests,
    setMode: (next) => {
      mode = next;
    },
    setBudgetEnforcement: (enabled) => {
      enforceBudget = enabled;
    },
    replyOnce: (replyMethod, path, reply) => {
      scriptedReplies.push({ method: replyMethod, path, reply });
    },
    answerEverything: (reply) => {
      answerToEverything = reply;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Admits calls while every budget has room in its trailing window. */
class SlidingWindow {
  private admittedAt: number[] = [];
  private readonly longestWindowMs: number;

  constructor(private readonly budgets: readonly RateBudget[]) {
    this.longestWindowMs = Math.max(0, ...budgets.map((budget) => budget.perMs));
  }

  /** Records the call and returns 0, or returns how many ms until it would fit. */
  admit(at: number): number {
    this.admittedAt = this.admittedAt.filter((time) => time > at - this.longestWindowMs);
    let waitMs = 0;
    for (const budget of this.budgets) {
      const inWindow = this.admittedAt.filter((time) => time > at - budget.perMs);
      if (inWindow.length >= budget.requests) {
        const oldestThatMustExpire = inWindow[inWindow.length - budget.requests]!;
        waitMs = Math.max(waitMs, oldestThatMustExpire + budget.perMs - at);
      }
    }
    if (waitMs === 0) this.admittedAt.push(at);
    return waitMs;
  }
}

function matchPattern(pattern: string, path: string): Record<string, string> | undefined {
  const patternSegments = pattern.split('/');
  const pathSegments = path.split('/');
  if (patternSegments.length !== pathSegments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, patternSegment] of patternSegments.entries()) {
    const value = decodeURIComponent(pathSegments[index]!);
    if (patternSegment.startsWith(':')) params[patternSegment.slice(1)] = value;
    else if (patternSegment !== value) return undefined;
  }
  return params;
}

async function readBody(incoming: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of incoming) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (text === '') return undefined;
  const contentType = incoming.headers['content-type'] ?? '';
  if (contentType.includes('application/json')) return JSON.parse(text) as unknown;
  if (contentType.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
  return text;
}

function writeReply(outgoing: ServerResponse, reply: FakeReply): void {
  const headers: Record<string, string> = { ...reply.headers };
  let payload = '';
  if (reply.json !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(reply.json);
  } else if (reply.text !== undefined) {
    headers['content-type'] ??= 'text/plain; charset=utf-8';
    payload = reply.text;
  }
  outgoing.writeHead(reply.status, headers);
  outgoing.end(payload);
}

/** Reads one property of a parsed JSON or form body; undefined when the body is not an object. */
export function bodyField(body: unknown, key: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[key] : undefined;
}

/** The id a route captured as `:name`, as a number (NaN when not numeric, which matches nothing). */
export function numericParam(request: FakeRequest, name: string): number {
  return Number(request.params[name]);
}
