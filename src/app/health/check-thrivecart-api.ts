import { ThriveCartApi, ThriveCartApiError } from '../../adapters/sources/thrivecart/api-client.ts';
import type { AppContext } from '../context.ts';
import type { Sleep } from '../crm/with-patience.ts';
import { fail, ok, type HealthCheck } from './health-check.ts';

const PART = 'ThriveCart API';
const KEY_PLACE = 'ThriveCart → Settings → API & webhooks → API tokens';

/**
 * The API key of `thrivecart.apiKey` (import and reconcile use it), by a round trip to `GET /ping`
 * whose answer must name the configured account: a key of another account, a refused key, or a
 * server that is not ThriveCart's API (no account named) all fail. Nothing when no key is set.
 */
export async function checkThriveCartApi(ctx: AppContext, sleep: Sleep): Promise<HealthCheck[]> {
  const { apiKey, apiUrl, account } = ctx.config.thrivecart;
  if (apiKey === undefined) return [];
  const api = new ThriveCartApi({ apiKey, apiUrl, account, pool: ctx.pool, clock: ctx.clock, wait: sleep });
  try {
    const answer = await api.ping();
    if (answer.account === null)
      return [
        fail(
          PART,
          `${apiUrl} answered without naming a ThriveCart account, so it is not ThriveCart's API or the key's account cannot be confirmed`,
          'Set thrivecart.apiUrl to https://thrivecart.com/api/external (or remove it), then run npx handoff doctor again.',
        ),
      ];
    return [ok(PART, `the API key works and belongs to the account "${answer.account}"`)];
  } catch (error) {
    return [failureOf(error, apiUrl, account)];
  }
}

function failureOf(error: unknown, apiUrl: string, account: string): HealthCheck {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof ThriveCartApiError && (error.status === 401 || error.status === 403))
    return fail(
      PART,
      `ThriveCart refused the API key (${message})`,
      `Create an API key in ${KEY_PLACE} and set thrivecart.apiKey (e.g. \${THRIVECART_API_KEY}) to it.`,
    );
  if (error instanceof ThriveCartApiError && error.status === null)
    return fail(
      PART,
      message,
      `Use an API key of the account "${account}" (${KEY_PLACE}), the one whose webhooks Handoff receives.`,
    );
  return fail(
    PART,
    `could not check the API key at ${apiUrl}: ${message}`,
    'Check thrivecart.apiUrl (https://thrivecart.com/api/external) and that this server can reach it.',
  );
}
