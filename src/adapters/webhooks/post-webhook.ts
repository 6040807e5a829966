import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ipLiteralOf } from '../../core/webhooks/address-policy.ts';
import { checkedAddresses } from './checked-addresses.ts';
import type { ReceiverAnswer } from '../../core/webhooks/delivery-verdict.ts';
import type { HostResolver, ResolvedAddress } from './host-resolver.ts';

/** The Standard Webhooks recommendation (15–30 s); Svix expects a 2xx within 15 s. */
export const WEBHOOK_TIMEOUT_MS = 15_000;
/** Only a short excerpt is kept for the console; a receiver cannot make us buffer more. */
const RESPONSE_CAP_BYTES = 16 * 1024;
const EXCERPT_CHARS = 200;

export type PostOutcome =
  | ({ kind: 'response' } & ReceiverAnswer)
  /** Nothing usable came back: refused by the address policy, DNS, connection, timeout. */
  | { kind: 'failed'; error: string };

export interface PostOptions {
  /** Console/API endpoints unless private networks are allowed: https only, public addresses only. */
  restricted: boolean;
  resolveHost: HostResolver;
  timeoutMs?: number;
}

/**
 * POSTs one signed message. The host is resolved here and every answer checked (again: DNS may
 * have changed since the endpoint was registered), then the socket connects to that checked
 * address, so a second lookup cannot rebind it. Redirects are never followed: a 3xx is an answer
 * like any other, and the caller treats it as a failure.
 */
export async function postWebhook(
  url: URL,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
): Promise<PostOutcome> {
  if (options.restricted && url.protocol !== 'https:')
    return { kind: 'failed', error: 'only https:// URLs are allowed' };
  const checked = await checkedAddresses(url, options.restricted, options.resolveHost);
  if (checked.error !== null) return { kind: 'failed', error: `refused: ${checked.error}` };
  const pinned = checked.addresses[0]!;
  try {
    return await send(
      url,
      pinned,
      { ...headers, 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
      body,
      options.timeoutMs ?? WEBHOOK_TIMEOUT_MS,
    );
  } catch (error) {
    return { kind: 'failed', error: error instanceof Error ? error.message : String(error) };
  }
}

function send(
  url: URL,
  target: ResolvedAddress,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
): Promise<PostOutcome> {
  const isHttps = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const request = (isHttps ? httpsRequest : httpRequest)(
      {
        method: 'POST',
        // The checked address itself: no second lookup happens that DNS could answer differently.
        host: target.address,
        port: url.port === '' ? undefined : Number(url.port),
        path: `${url.pathname}${url.search}`,
        headers: { ...headers, host: url.host, 'user-agent': 'Handoff-Webhooks/1' },
        // Certificates are checked against the name in the URL, not the pinned address.
        ...(isHttps && ipLiteralOf(url.hostname) === null ? { servername: url.hostname } : {}),
        agent: false,
      },
      (response) =>
        readCapped(response).then(
          (excerpt) =>
            resolve({
              kind: 'response',
              statusCode: response.statusCode ?? 0,
              retryAfter: headerOf(response, 'retry-after'),
              location: headerOf(response, 'location'),
              excerpt,
            }),
          reject,
        ),
    );
    const timer = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
    request.end(body);
  });
}

function headerOf(response: IncomingMessage, name: string): string | null {
  const value = response.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function readCapped(response: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on('data', (chunk: Buffer) => {
      if (size >= RESPONSE_CAP_BYTES) return;
      chunks.push(chunk);
      size += chunk.length;
      if (size >= RESPONSE_CAP_BYTES) response.destroy();
    });
    const finish = (): void => resolve(Buffer.concat(chunks).toString('utf8').slice(0, EXCERPT_CHARS).trim());
    response.on('end', finish);
    response.on('close', finish);
    response.on('error', reject);
  });
}
