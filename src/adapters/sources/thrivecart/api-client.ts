/**
 * ThriveCart's REST API (docs/thrivecart-api.md): Bearer key, 60 requests a minute per account,
 * 429 beyond it (a Retry-After is not documented; honoured when sent). Every request takes a slot
 * from the table-backed budget the running service shares (crm_rate_budgets), so an import and
 * the scheduled reconcile never spend more than the account's minute between them.
 */
import { recordThrottle, clearThrottles, takeRateSlot } from '../../store/crm-rate-budgets.ts';
import type { Pool } from '../../store/database.ts';
import { retryAfterMsFrom } from '../../crm/http-client.ts';
import type { Clock } from '../../../ports/clock.ts';

/** 60 requests a minute per connected account (docs/thrivecart-api.md, "Rate limit"). */
export const THRIVECART_API_BUDGET = { requests: 60, perMs: 60_000 };
/** The most `perPage` accepts (docs/thrivecart-api.md: at most 100). */
export const TRANSACTIONS_PER_PAGE = 100;
/** 429s in a row before giving up on one request; the budget's waits grow in between. */
const MAX_THROTTLES_IN_A_ROW = 8;
const TIMEOUT_MS = 30_000;

/** One row of `GET /transactions`, as far as Handoff reads it (all fields as sent). */
export interface ApiTransaction {
  event_id?: string | number;
  base_product?: string | number;
  timestamp?: string | number;
  transaction_type?: string;
  item_type?: string;
  item_id?: string | number;
  amount?: string | number;
  order_id?: string | number;
  invoice_id?: string;
  currency?: string;
  customer?: { name?: string; email?: string; id?: string | number };
  reference?: string;
  subscription_current_status?: string | null;
}

/** One entry of `POST /customer`'s `subscriptions[]`. */
export interface ApiSubscription {
  status?: string;
  order_id?: string | number;
  subscription_id?: string | number;
  frequency?: string;
  payments_remaining?: string | number | null;
  last_payment?: string | number | null;
  next_payment?: string | number | null;
  item_name?: string;
  item_type?: string;
  item_id?: string | number;
}

/** `POST /customer`: one buyer's purchases and subscriptions. */
export interface ApiCustomer {
  customer?: { name?: string; email?: string };
  purchases?: {
    order_id?: string | number;
    item_name?: string;
    item_type?: string;
    item_id?: string | number;
    status?: string;
  }[];
  subscriptions?: ApiSubscription[];
}

export class ThriveCartApiError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'ThriveCartApiError';
  }
}

export interface ThriveCartApiOptions {
  apiUrl: string;
  apiKey: string;
  account: string;
  pool: Pool;
  clock: Clock;
  /** Waits `ms` (tests move a fake clock instead of sleeping). */
  wait: (ms: number) => Promise<void>;
  fetchImpl?: typeof fetch;
}

export class ThriveCartApi {
  private readonly budgetKey: string;
  constructor(private readonly options: ThriveCartApiOptions) {
    this.budgetKey = `thrivecart-api:${options.account}`;
  }

  /** One page (1-based) of transactions, newest first. There is no reliable total: a short or empty page is the end. */
  async transactions(page: number): Promise<ApiTransaction[]> {
    const query = new URLSearchParams({
      page: String(page),
      perPage: String(TRANSACTIONS_PER_PAGE),
      transactionType: 'any',
    });
    const body = (await this.request('GET', `/transactions?${query.toString()}`)) as
      { transactions?: unknown } | unknown[] | null;
    const rows = Array.isArray(body) ? body : body?.transactions;
    if (!Array.isArray(rows))
      throw new ThriveCartApiError('GET /transactions answered without a transactions list', 200);
    return rows as ApiTransaction[];
  }

  /** Everything about one buyer; null when ThriveCart knows no order for the e-mail (its 404). */
  async customer(email: string): Promise<ApiCustomer | null> {
    return (await this.request('POST', '/customer', new URLSearchParams({ email }))) as ApiCustomer | null;
  }

  /**
   * Checks the key with `GET /ping` (docs/thrivecart-api.md) and returns the account ThriveCart
   * says it belongs to (X-ThriveCart-Account-Name), null when the answer names none. Throws
   * ThriveCartApiError when the key is refused, the answer is not JSON, or names another account.
   */
  async ping(): Promise<{ account: string | null }> {
    const { headers } = await this.send('GET', '/ping');
    return { account: headers.get('x-thrivecart-account-name') };
  }

  private async request(method: 'GET' | 'POST', path: string, form?: URLSearchParams): Promise<unknown> {
    return (await this.send(method, path, form)).body;
  }

  private async send(
    method: 'GET' | 'POST',
    path: string,
    form?: URLSearchParams,
  ): Promise<{ body: unknown; headers: Headers }> {
    const { pool, clock } = this.options;
    for (let throttles = 0; ;) {
      const slot = await takeRateSlot(pool, this.budgetKey, THRIVECART_API_BUDGET, clock.now());
      if (!slot.granted) {
        await this.options.wait(slot.waitMs);
        continue;
      }
      const response = await (this.options.fetchImpl ?? fetch)(`${this.options.apiUrl.replace(/\/+$/, '')}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${this.options.apiKey}`,
          accept: 'application/json',
          ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: form?.toString(),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (response.status === 429) {
        throttles += 1;
        if (throttles > MAX_THROTTLES_IN_A_ROW)
          throw new ThriveCartApiError(`ThriveCart kept answering 429 to ${method} ${path.split('?')[0]}`, 429);
        await this.options.wait(
          await recordThrottle(
            pool,
            this.budgetKey,
            THRIVECART_API_BUDGET,
            retryAfterMsFrom(response.headers, clock.now()),
            clock.now(),
          ),
        );
        continue;
      }
      if (throttles > 0) await clearThrottles(pool, this.budgetKey);
      const text = await response.text();
      if (response.status === 404 && path === '/customer') return { body: null, headers: response.headers };
      if (!response.ok)
        throw new ThriveCartApiError(
          `ThriveCart answered ${response.status} to ${method} ${path.split('?')[0]}: ${text.slice(0, 200)}`,
          response.status,
        );
      this.checkAccount(response.headers);
      try {
        return { body: JSON.parse(text) as unknown, headers: response.headers };
      } catch {
        throw new ThriveCartApiError(
          `ThriveCart answered ${method} ${path.split('?')[0]} with something that is not JSON`,
          response.status,
        );
      }
    }
  }

  /** The key must belong to the account the webhooks come from (X-ThriveCart-Account-Name). */
  private checkAccount(headers: Headers): void {
    const account = headers.get('x-thrivecart-account-name');
    if (account !== null && account.toLowerCase() !== this.options.account.toLowerCase()) {
      throw new ThriveCartApiError(
        `the API key belongs to the ThriveCart account "${account}", not "${this.options.account}" (thrivecart.account)`,
        null,
      );
    }
  }
}
