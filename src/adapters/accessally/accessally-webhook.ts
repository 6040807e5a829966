/**
 * The AccessAlly webhook a CRM automation would otherwise call (`aal_genpass`, `aal_updateuser`):
 * a POST carrying what that CRM's own call carries (accessally-request.ts), so AccessAlly finds the
 * contact in the CRM it reads tags from and creates or refreshes the WordPress user.
 */
import type { AccessAllyRequest } from './accessally-request.ts';

const TIMEOUT_MS = 15_000;
const BODY_EXCERPT_LENGTH = 200;

/** A failed POST; `retriable` is false when the site answered with a 4xx other than 408/429. */
export class AccessAllyWebhookError extends Error {
  override readonly name = 'AccessAllyWebhookError';
  constructor(
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
  }
}

export async function postAccessAllyWebhook(
  webhookUrl: string,
  request: AccessAllyRequest,
  fetchImpl: typeof fetch = globalThis.fetch,
): Promise<void> {
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': request.contentType },
      body: request.body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
    text = await response.text();
  } catch (error) {
    throw new AccessAllyWebhookError(
      `cannot reach the AccessAlly webhook at ${new URL(webhookUrl).origin}: ${error instanceof Error ? error.message : String(error)}`,
      true,
    );
  }
  if (response.ok) return;
  const retriable = response.status >= 500 || response.status === 408 || response.status === 429;
  const excerpt = text.replace(/\s+/g, ' ').trim().slice(0, BODY_EXCERPT_LENGTH) || '(empty body)';
  throw new AccessAllyWebhookError(
    `the AccessAlly webhook at ${new URL(webhookUrl).origin} answered HTTP ${response.status}: ${excerpt}`,
    retriable,
  );
}
