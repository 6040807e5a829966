/**
 * Whether an endpoint's host answers HTTP at all, without sending it a message: Standard Webhooks
 * has no ping, and a made-up event would reach the site's handler. A HEAD changes nothing; any
 * HTTP answer (405 included) proves the address, the TLS certificate and the route to it.
 */
const TIMEOUT_MS = 10_000;

export type EndpointProbe = { reachable: true; status: number } | { reachable: false; detail: string };

export async function probeEndpoint(url: string, fetchImpl: typeof fetch = globalThis.fetch): Promise<EndpointProbe> {
  try {
    const response = await fetchImpl(url, {
      method: 'HEAD',
      redirect: 'manual',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    return { reachable: true, status: response.status };
  } catch (error) {
    const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : '';
    return { reachable: false, detail: `${error instanceof Error ? error.message : String(error)}${cause}` };
  }
}
