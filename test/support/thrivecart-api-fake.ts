/**
 * A local ThriveCart REST API, written from what is documented (docs/thrivecart-api.md, from
 * ThriveCart's API collection at apidocs.thrivecart.com and the official thrivecart/api-demo).
 * Where the vendor is silent it does the most hostile plausible thing.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { ApiCustomer, ApiTransaction } from '../../src/adapters/sources/thrivecart/api-client.ts';

export interface ThriveCartApiFake {
  url: string;
  /** Newest first, as GET /transactions returns them. */
  transactions: ApiTransaction[];
  customers: Map<string, ApiCustomer>;
  /** Every request, as `METHOD path?query`. */
  requests: string[];
  /** The next requests answered 429 (count), with a Retry-After in seconds or none. */
  throttleNext(count: number, retryAfterSeconds?: number): void;
  close(): Promise<void>;
}

export async function startThriveCartApiFake(options: { apiKey: string; account: string }): Promise<ThriveCartApiFake> {
  const throttles: (number | undefined)[] = [];
  const fake: Omit<ThriveCartApiFake, 'url' | 'close'> = {
    transactions: [],
    customers: new Map(),
    requests: [],
    throttleNext(count, retryAfterSeconds) {
      for (let index = 0; index < count; index += 1) throttles.push(retryAfterSeconds);
    },
  };
  const server: Server = createServer((request, response) => {
    void (async () => {
      const body = await readBody(request);
      const url = new URL(request.url ?? '/', 'http://fake');
      fake.requests.push(`${request.method} ${url.pathname}${url.search}`);
      const send = (status: number, payload: unknown, headers: Record<string, string> = {}) => {
        // Responses name the account the key belongs to (docs/thrivecart-api.md, "Access").
        response.writeHead(status, {
          'content-type': 'application/json',
          'x-thrivecart-account-name': options.account,
          ...headers,
        });
        response.end(JSON.stringify(payload));
      };
      // Bearer token; errors are JSON such as {"error":"invalid_token"} with a 4xx (docs/thrivecart-api.md, "Access").
      if (request.headers.authorization !== `Bearer ${options.apiKey}`) return send(401, { error: 'invalid_token' });
      // 60 requests a minute, then 429; no rate-limit headers and Retry-After unverified
      // (docs/thrivecart-api.md, "Rate limit"): the fake sends it only when told to.
      if (throttles.length > 0) {
        const retryAfter = throttles.shift();
        return send(
          429,
          { error: 'rate_limited' },
          retryAfter === undefined ? {} : { 'retry-after': String(retryAfter) },
        );
      }
      // Checks the key (docs/thrivecart-api.md, "GET /ping"). Its body is not documented: the fake
      // answers an empty object, so only the status and the account header can be relied on.
      if (request.method === 'GET' && url.pathname === '/ping') return send(200, {});
      if (request.method === 'GET' && url.pathname === '/transactions') {
        // page is 1-based, perPage at most 100 (docs/thrivecart-api.md, "GET /transactions").
        const page = Math.max(1, Number(url.searchParams.get('page') ?? '1'));
        const perPage = Math.min(100, Math.max(1, Number(url.searchParams.get('perPage') ?? '25')));
        const rows = fake.transactions.slice((page - 1) * perPage, page * perPage);
        // meta.total was missing in production (docs/thrivecart-api.md): the hostile choice is a total that is wrong.
        return send(200, { transactions: rows, meta: { results: rows.length, total: 3 } });
      }
      if (request.method === 'POST' && url.pathname === '/customer') {
        // Form field `email`; 404 with this message for an unknown e-mail (docs/thrivecart-api.md, "POST /customer").
        const email = new URLSearchParams(body).get('email') ?? '';
        const customer = fake.customers.get(email);
        return customer
          ? send(200, customer)
          : send(404, { error: 'There are no orders associated with this customer.' });
      }
      return send(404, { error: 'not_found' });
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** A test configuration (test-config.ts's YAML) with `thrivecart.apiKey` and `apiUrl` pointing at the fake. */
export function withThriveCartApi(yaml: string, fake: Pick<ThriveCartApiFake, 'url'>, apiKey: string): string {
  return yaml.replace('testMode: ignore', `testMode: ignore\n  apiKey: ${apiKey}\n  apiUrl: ${fake.url}`);
}

/** One transaction of product 12 ($47, USD) by Pat Doe, as `GET /transactions` lists it. */
export function productTransaction(order: number, email: string, type: string, atMs: number): ApiTransaction {
  return {
    event_id: `${order}-${type}`,
    timestamp: Math.floor(atMs / 1000),
    transaction_type: type,
    item_type: 'product',
    item_id: 12,
    amount: 4700,
    order_id: order,
    currency: 'USD',
    customer: { name: 'Pat Doe', email },
    subscription_current_status: null,
  };
}
