/**
 * The one HTTP path every CRM connector goes through: builds the request, applies the timeout,
 * and turns every way a call can fail into a CrmError whose kind tells the sync layer what to do
 * (see CrmErrorKind). Connectors only describe requests and read answers.
 */
import type { z } from 'zod';
import { CrmError, type CrmErrorKind } from '../../ports/crm-connector.ts';
import { crmRequests } from '../metrics/metrics.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

const DEFAULT_TIMEOUT_MS = 15_000;
const BODY_EXCERPT_LENGTH = 200;

/** What the registry may inject into every HTTP connector. */
export interface CrmConnectorDeps {
  fetch?: typeof fetch | undefined;
  timeoutMs?: number | undefined;
}

export interface CrmHttpClientConfig {
  provider: string;
  /** Scheme + host (+ optional path prefix); request paths are appended to it. */
  baseUrl: string;
  /** Auth and content headers sent on every request. */
  headers: Readonly<Record<string, string>>;
  /** Credential values to blank out of error messages, in case a provider echoes them. */
  secrets: readonly string[];
  /**
   * Some providers answer HTTP 200 with a failure in the body (ActiveCampaign `success: false`,
   * Ontraport `code` ≠ 0). Returns that failure's message, or undefined when the body is a success.
   */
  findFailureInBody?: (body: unknown) => string | undefined;
}

export interface CrmHttpRequest {
  method: HttpMethod;
  /** Path after the base URL, starting with `/`; build it with `encodedPath` when it holds values. */
  path: string;
  query?: Readonly<Record<string, string | number>>;
  json?: unknown;
  /** Non-2xx statuses that are an expected answer here, e.g. 404 on a delete of something already gone. */
  acceptStatuses?: readonly number[];
}

export interface CrmHttpResponse {
  status: number;
  /** Parsed JSON when the body is JSON, otherwise the raw text ('' when empty). */
  body: unknown;
}

/** Builds a path whose interpolated values are URL-encoded (`/` in a tag name becomes `%2F`). */
export function encodedPath(literals: TemplateStringsArray, ...values: readonly (string | number)[]): string {
  return literals.reduce(
    (path, literal, index) => path + literal + (index < values.length ? encodeURIComponent(String(values[index])) : ''),
    '',
  );
}

/**
 * How long the provider asked us to wait: `Retry-After` (delta seconds or HTTP-date), else
 * Ontraport's `X-Rate-Limit-Reset` (seconds until the window resets). Undefined when neither is usable.
 */
export function retryAfterMsFrom(headers: Headers, now: number = Date.now()): number | undefined {
  const retryAfter = headers.get('retry-after')?.trim();
  if (retryAfter) {
    const seconds = secondsFrom(retryAfter);
    if (seconds !== undefined) return seconds * 1000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const resetSeconds = secondsFrom(headers.get('x-rate-limit-reset')?.trim() ?? '');
  return resetSeconds === undefined ? undefined : resetSeconds * 1000;
}

function secondsFrom(value: string): number | undefined {
  return /^\d+(\.\d+)?$/.test(value) ? Number(value) : undefined;
}

export function errorKindForStatus(status: number): CrmErrorKind {
  if (status === 429) return 'rate_limited';
  if (status >= 500) return 'transient';
  if (status === 401 || status === 403) return 'auth';
  return 'permanent';
}

export class CrmHttpClient {
  private readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;
  private readonly timeoutMs: number;

  constructor(
    private readonly config: CrmHttpClientConfig,
    deps: CrmConnectorDeps = {},
  ) {
    this.baseUrl = config.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = deps.fetch ?? globalThis.fetch;
    this.timeoutMs = deps.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  }

  async send(request: CrmHttpRequest): Promise<CrmHttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...this.config.headers };
    if (request.json !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    let text: string;
    try {
      response = await this.fetchImpl(this.urlFor(request), {
        method: request.method,
        headers,
        body: request.json === undefined ? undefined : JSON.stringify(request.json),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await response.text();
    } catch (cause) {
      crmRequests.inc({ provider: this.config.provider, status: 'network' });
      throw this.error('transient', request, undefined, describeNetworkFailure(cause, this.timeoutMs));
    }
    crmRequests.inc({ provider: this.config.provider, status: String(response.status) });
    const body = parseBody(text);
    const accepted = response.ok || (request.acceptStatuses ?? []).includes(response.status);
    if (!accepted) {
      const retryAfterMs = response.status === 429 ? retryAfterMsFrom(response.headers) : undefined;
      throw this.error(errorKindForStatus(response.status), request, response.status, this.excerpt(text), retryAfterMs);
    }
    const failure = response.ok ? this.config.findFailureInBody?.(body) : undefined;
    if (failure !== undefined) {
      throw this.error(
        'permanent',
        request,
        response.status,
        `failure in a ${response.status} body: ${this.redact(failure)}`,
      );
    }
    return { status: response.status, body };
  }

  /** Sends and validates the answer's shape; an answer we cannot use is a permanent error. */
  async sendFor<Schema extends z.ZodType>(schema: Schema, request: CrmHttpRequest): Promise<z.output<Schema>> {
    const response = await this.send(request);
    return this.parse(schema, request, response);
  }

  parse<Schema extends z.ZodType>(
    schema: Schema,
    request: CrmHttpRequest,
    response: CrmHttpResponse,
  ): z.output<Schema> {
    const parsed = schema.safeParse(response.body);
    if (parsed.success) return parsed.data;
    const problem = parsed.error.issues[0];
    const where = problem ? `${problem.path.join('.') || '(root)'}: ${problem.message}` : 'unknown shape';
    throw this.unusableAnswer(request, response, where);
  }

  /** A permanent error for an answer the connector cannot act on, quoting the body like any other failure. */
  unusableAnswer(request: CrmHttpRequest, response: CrmHttpResponse, why: string): CrmError {
    const text = typeof response.body === 'string' ? response.body : JSON.stringify(response.body);
    return this.error('permanent', request, response.status, `unusable answer (${why}): ${this.excerpt(text)}`);
  }

  private urlFor(request: CrmHttpRequest): string {
    const url = new URL(this.baseUrl + request.path);
    for (const [name, value] of Object.entries(request.query ?? {})) url.searchParams.set(name, String(value));
    return url.toString();
  }

  private error(
    kind: CrmErrorKind,
    request: CrmHttpRequest,
    status: number | undefined,
    detail: string,
    retryAfterMs?: number,
  ): CrmError {
    const statusText = status === undefined ? '' : ` → ${status}`;
    const message = `${this.config.provider} ${request.method} ${this.redact(request.path)}${statusText}: ${detail}`;
    const details: CrmError['details'] = { provider: this.config.provider };
    if (status !== undefined) details.status = status;
    if (retryAfterMs !== undefined) details.retryAfterMs = retryAfterMs;
    return new CrmError(kind, message, details);
  }

  private excerpt(text: string): string {
    const collapsed = text.replace(/\s+/g, ' ').trim();
    const short = collapsed.length > BODY_EXCERPT_LENGTH ? `${collapsed.slice(0, BODY_EXCERPT_LENGTH)}…` : collapsed;
    return this.redact(short) || '(empty body)';
  }

  private redact(text: string): string {
    return this.config.secrets.reduce(
      (redacted, secret) => (secret === '' ? redacted : redacted.split(secret).join('[redacted]')),
      text,
    );
  }
}

function parseBody(text: string): unknown {
  if (text.trim() === '') return '';
  try {
    return JSON.parse(text) as unknown;
  } catch {
    // Plain-text bodies are normal for some providers (Ontraport errors, Kit's 429).
    return text;
  }
}

function describeNetworkFailure(cause: unknown, timeoutMs: number): string {
  if (cause instanceof DOMException && cause.name === 'TimeoutError') return `no answer within ${timeoutMs} ms`;
  if (cause instanceof Error) {
    const code = cause.cause instanceof Error && 'code' in cause.cause ? ` (${String(cause.cause.code)})` : '';
    return `network failure: ${cause.message}${code}`;
  }
  return `network failure: ${String(cause)}`;
}
