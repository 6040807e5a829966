/**
 * Whether a site answers like WordPress, without changing anything on it: the REST API index at
 * `/wp-json/` is a JSON object with the `namespaces` the site serves and its `routes`
 * (https://developer.wordpress.org/rest-api/using-the-rest-api/discovery/ and
 * https://developer.wordpress.org/rest-api/reference/). AccessAlly is a WordPress plugin; its
 * webhook URL is on the site itself. Posting to the webhook would change a member, so it is not
 * called here.
 */
const TIMEOUT_MS = 10_000;

export type WordPressProbe =
  | { kind: 'wordpress'; namespaces: string[] }
  /** The index answered 401/403: some security plugins close the REST API to visitors. */
  | { kind: 'restricted'; status: number }
  | { kind: 'not-wordpress'; detail: string }
  | { kind: 'unreachable'; detail: string };

export async function probeWordPress(
  siteUrl: string,
  fetchImpl: typeof fetch = globalThis.fetch,
): Promise<WordPressProbe> {
  const index = new URL('/wp-json/', siteUrl);
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(index, {
      headers: { accept: 'application/json' },
      redirect: 'follow',
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    return {
      kind: 'unreachable',
      detail: `cannot reach ${index.origin}: ${error instanceof Error ? error.message : String(error)}`,
    };
  }
  if (response.status === 401 || response.status === 403) return { kind: 'restricted', status: response.status };
  if (!response.ok) return { kind: 'not-wordpress', detail: `${index.href} answered HTTP ${response.status}` };
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'not-wordpress', detail: `${index.href} did not answer JSON` };
  }
  const namespaces = typeof body === 'object' && body !== null && 'namespaces' in body ? body.namespaces : undefined;
  const routes = typeof body === 'object' && body !== null && 'routes' in body ? body.routes : undefined;
  if (
    !Array.isArray(namespaces) ||
    !namespaces.every((name) => typeof name === 'string') ||
    typeof routes !== 'object' ||
    routes === null
  ) {
    return {
      kind: 'not-wordpress',
      detail: `${index.href} answered JSON without the namespaces and routes a WordPress REST index lists`,
    };
  }
  return { kind: 'wordpress', namespaces: namespaces as string[] };
}
