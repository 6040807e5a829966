/**
 * What the AccessAlly webhook call carries, per CRM: the body that CRM's own automation would post
 * to AccessAlly, as AccessAlly and the CRM document it (docs/accessally.md, "Per CRM"), because
 * AccessAlly documents the calls, not which fields it reads from them.
 */

/** The CRMs AccessAlly works with (AccessAlly, "Switch from AccessAlly Managed to a CRM"); `memory` is for trying Handoff out. */
const SHAPE_BY_PROVIDER = {
  /**
   * The automation's "Webhook" action posts form fields with PHP-style keys, `contact[id]`,
   * `contact[email]`, … (ActiveCampaign, "Webhooks": https://developers.activecampaign.com/page/webhooks).
   */
  activecampaign: { kind: 'form', contactIdField: 'contact[id]', emailField: 'contact[email]' },
  /**
   * "When adding an HTTP post to your automation, the Contact ID is already included in the
   * Infusionsoft settings": Keap's HTTP Post step sends `contactId` and the chosen merge fields
   * (https://kb.ambitionally.com/tutorials/your-guide-to-http-post-webhook-commands-when-to-use-them/).
   */
  keap: { kind: 'form', contactIdField: 'contactId', emailField: 'Email' },
  /**
   * "The post data is [Contact ID]. Please note: there must NOT be a new line at the end, or it
   * won't work." (same AccessAlly guide). Ontraport's "Send a Webhook" element posts its "Post
   * data" with merge fields replaced, form-style
   * (https://support.ontraport.com/hc/en-us/articles/217882438-Send-a-Webhook-a-k-a-Ping-URL,
   * https://support.ontraport.com/hc/en-us/articles/115002632853-Campaign-Builder-Webhooks).
   */
  ontraport: { kind: 'bare-contact-id' },
  /**
   * A Kit automation cannot call a webhook; AccessAlly creates a Kit rule (tag added → webhook to
   * the aal_genpass URL) (https://kb.accessally.com/tutorials/how-to-create-convertkit-webhooks/),
   * so the call is Kit's rule webhook: JSON, "Subscriber Event Payload"
   * (https://developers.kit.com/api-reference/v3/webhooks.md).
   */
  kit: { kind: 'kit-subscriber' },
  /** Not a real CRM: plain names, so a trial shows what a call looks like. */
  memory: { kind: 'form', contactIdField: 'contact_id', emailField: 'email' },
} as const satisfies Record<string, AccessAllyCallShape>;

export type AccessAllyCallShape =
  | { kind: 'form'; contactIdField: string; emailField: string }
  | { kind: 'bare-contact-id' }
  | { kind: 'kit-subscriber' };

export interface AccessAllyFieldOverrides {
  contactIdField?: string | undefined;
  emailField?: string | undefined;
}

/** The person as the CRM AccessAlly reads from knows them. */
export interface AccessAllyPerson {
  /** The contact's id in that CRM. */
  remoteId: string;
  email: string;
  firstName: string | null;
  /** When Handoff first knew the person (ms since epoch). */
  knownSince: number;
}

export interface AccessAllyRequest {
  contentType: string;
  body: string;
}

/** What `accessally:` (with `crm:` of this provider) is configured to send, or why it cannot be. */
export function accessAllyCallShapeFor(
  provider: string,
  overrides: AccessAllyFieldOverrides,
): { shape: AccessAllyCallShape } | { problem: string; key: 'crm' | 'contactIdField' | 'emailField' } {
  if (!(provider in SHAPE_BY_PROVIDER)) {
    return {
      key: 'crm',
      problem: `AccessAlly does not work with ${provider} (it supports ActiveCampaign, Kit, Keap and Ontraport): point accessally.crm at one of those, or leave accessally: out`,
    };
  }
  const shape: AccessAllyCallShape = SHAPE_BY_PROVIDER[provider as keyof typeof SHAPE_BY_PROVIDER];
  if (shape.kind === 'form') {
    return {
      shape: {
        kind: 'form',
        contactIdField: overrides.contactIdField ?? shape.contactIdField,
        emailField: overrides.emailField ?? shape.emailField,
      },
    };
  }
  for (const key of ['contactIdField', 'emailField'] as const) {
    if (overrides[key] === undefined) continue;
    const body =
      shape.kind === 'bare-contact-id'
        ? "the contact's id alone, as AccessAlly documents for Ontraport ([Contact ID])"
        : "Kit's own JSON subscriber payload, as the rule AccessAlly creates in Kit sends";
    return {
      key,
      problem: `${key} names a form field, and the call for ${provider} has none: it carries ${body}; remove ${key}`,
    };
  }
  return { shape };
}

export function buildAccessAllyRequest(shape: AccessAllyCallShape, person: AccessAllyPerson): AccessAllyRequest {
  switch (shape.kind) {
    case 'form':
      return {
        contentType: 'application/x-www-form-urlencoded',
        body: new URLSearchParams({
          [shape.contactIdField]: person.remoteId,
          [shape.emailField]: person.email,
        }).toString(),
      };
    case 'bare-contact-id':
      // Exactly the id: AccessAlly warns that a trailing new line breaks it.
      return { contentType: 'application/x-www-form-urlencoded', body: person.remoteId };
    case 'kit-subscriber':
      return { contentType: 'application/json', body: JSON.stringify(kitSubscriberPayload(person)) };
  }
}

/**
 * Kit's "Subscriber Event Payload": `{"subscriber": {"id": 1, "first_name": "John", "email_address":
 * …, "state": "active", "created_at": "2018-02-15T19:40:24.913Z", "fields": {…}}}`. The id is a
 * number there. `created_at` is Kit's own record of the subscriber, which Handoff does not read;
 * AccessAlly does not say whether it uses it, so rather than leave out a field Kit always sends,
 * it carries the earliest time Handoff knows of the person (for a first-time buyer, Handoff
 * created the subscriber moments later). `fields` is empty: the custom fields are Kit's, and
 * their keys are not Handoff's to guess.
 */
function kitSubscriberPayload(person: AccessAllyPerson): { subscriber: Record<string, unknown> } {
  const id = Number(person.remoteId);
  if (!Number.isSafeInteger(id)) throw new Error(`Kit subscriber id "${person.remoteId}" is not a whole number`);
  return {
    subscriber: {
      id,
      first_name: person.firstName,
      email_address: person.email,
      state: 'active',
      created_at: new Date(person.knownSince).toISOString(),
      fields: {},
    },
  };
}
