/**
 * The AccessAlly webhook a CRM automation would otherwise call (e.g. `aal_updateuser`): a
 * form-encoded POST naming the contact by its id in the CRM AccessAlly reads tags from, so
 * AccessAlly creates or refreshes the WordPress user from that CRM.
 */
import type { AccessAllyConfig } from '../../config/schema.ts';

const TIMEOUT_MS = 15_000;
const BODY_EXCERPT_LENGTH = 200;

export interface AccessAllyFields {
  contactIdField: string;
  emailField: string;
}

/**
 * What each CRM's own automation sends, so AccessAlly finds the fields where it looks for them:
 * ActiveCampaign webhooks post PHP-style `contact[id]` / `contact[email]`, Keap's HTTP POST sends
 * `contactId` / `Email`. The others (and any unverified case) use plain `contact_id` / `email`;
 * `contactIdField` and `emailField` in the config override these.
 */
const FIELDS_BY_PROVIDER: Readonly<Record<string, AccessAllyFields>> = {
  activecampaign: { contactIdField: 'contact[id]', emailField: 'contact[email]' },
  keap: { contactIdField: 'contactId', emailField: 'Email' },
};
const PLAIN_FIELDS: AccessAllyFields = { contactIdField: 'contact_id', emailField: 'email' };

export function accessAllyFieldsFor(provider: string, config: AccessAllyConfig): AccessAllyFields {
  const defaults = FIELDS_BY_PROVIDER[provider] ?? PLAIN_FIELDS;
  return {
    contactIdField: config.contactIdField ?? defaults.contactIdField,
    emailField: config.emailField ?? defaults.emailField,
  };
}

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
  fields: AccessAllyFields,
  contact: { remoteId: string; email: string },
  fetchImpl: typeof fetch = globalThis.fetch,
): Promise<void> {
  const body = new URLSearchParams({ [fields.contactIdField]: contact.remoteId, [fields.emailField]: contact.email });
  let response: Response;
  let text: string;
  try {
    response = await fetchImpl(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
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
