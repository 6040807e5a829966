/**
 * A stand-in for a WordPress site running AccessAlly, answering the two webhook commands Handoff
 * sends, as AccessAlly documents them (docs/accessally.md):
 * - `aal_genpass` "generates a unique password for a user; typically used in sign up/purchase
 *   automations" and creates the WordPress user (kb.accessally.com "Your Guide to HTTP Post /
 *   Webhook Commands"; "How to Create ConvertKit Webhooks": the genpass webhook "will create user
 *   accounts and passwords for your clients");
 * - `aal_updateuser` "syncs permission tags for a user", an existing one (same guide); since
 *   AccessAlly 3.2 it only flags the user, whose tags are read at the next visit
 *   (kb.accessally.com "How Webhooks work with AccessAlly's Activity Based Updates").
 * The call finds the person only in the shape that CRM's own call to AccessAlly has, as AccessAlly
 * and the CRM document it (docs/accessally.md, "Per CRM"); AccessAlly then reads the contact from
 * the CRM by that id:
 * - ActiveCampaign: a form with `contact[id]` (the automation's Webhook action posts PHP-style
 *   `contact[id]`, `contact[email]`, …; https://developers.activecampaign.com/page/webhooks);
 * - Keap: a form with `contactId` ("the Contact ID is already included in the Infusionsoft
 *   settings" of its HTTP Post; kb.ambitionally.com "Your Guide to HTTP Post / Webhook Commands");
 * - Ontraport: a body that is the contact id alone, form-encoded as Ontraport's "Send a Webhook"
 *   posts it ("The post data is [Contact ID]. Please note: there must NOT be a new line at the end,
 *   or it won't work.", same guide; https://support.ontraport.com/hc/en-us/articles/217882438);
 * - Kit: Kit's rule webhook, JSON `{"subscriber": {"id": <number>, "email_address", …}}`
 *   (https://kb.accessally.com/tutorials/how-to-create-convertkit-webhooks/,
 *   https://developers.kit.com/api-reference/v3/webhooks.md "Subscriber Event Payload").
 * Where AccessAlly is silent, the most hostile reading: a call in any other shape (named fields for
 * Ontraport, a trailing new line, a form for Kit, a string id) finds nobody, changes nothing and
 * still answers 200; `aal_genpass` for a person who already has a user gives them a new password
 * (locking them out of the one they know), and `aal_updateuser` for someone without a user does
 * nothing and still answers 200.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FakeCrmState } from './crm-fakes/fake-crm-state.ts';

/** The CRM AccessAlly reads from: which one (its call's shape) and its fake's contacts and tags. */
export interface SiteCrm {
  provider: 'activecampaign' | 'keap' | 'ontraport' | 'kit';
  state: FakeCrmState;
}

export interface SiteCall {
  command: 'aal_genpass' | 'aal_updateuser' | 'other';
  contentType: string | undefined;
  body: string;
  /** The e-mail of the CRM contact the call named, as AccessAlly would find it; null: nobody. */
  found: string | null;
  /** The tags the CRM held for that contact when the call arrived. */
  crmTagsThen: string[];
}

export interface SiteUser {
  email: string;
  /** How many passwords the site generated for the user (more than one: an existing member was reset). */
  passwords: number;
  /** Whether the user is flagged to have their tags read from the CRM at the next visit. */
  flagged: boolean;
}

export interface AccessAllySite {
  url: string;
  calls: SiteCall[];
  users: Map<string, SiteUser>;
  /** A member who had a WordPress user before Handoff. */
  addExistingUser(email: string): void;
  /** Answers the next calls with these statuses (then 200), the call having no effect. */
  failNext(...statuses: number[]): void;
  close(): Promise<void>;
}

/** `crm` null: a CRM the fake does not model (e.g. `memory`); every call is recorded and finds nobody. */
export async function startAccessAllySite(crm: SiteCrm | null): Promise<AccessAllySite> {
  const calls: SiteCall[] = [];
  const users = new Map<string, SiteUser>();
  const failures: number[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const query = new URL(request.url ?? '/', 'http://site').searchParams;
      const command = query.has('aal_genpass')
        ? 'aal_genpass'
        : query.has('aal_updateuser')
          ? 'aal_updateuser'
          : 'other';
      const contentType = request.headers['content-type'];
      const contactId = crm ? contactIdIn(crm.provider, contentType, body) : null;
      const contact = contactId === null ? undefined : crm?.state.contacts.get(contactId);
      const found = contact ? contact.email.toLowerCase() : null;
      calls.push({
        command,
        contentType,
        body,
        found,
        crmTagsThen: contact && crm ? crm.state.tagNamesOf(contact.id).sort() : [],
      });
      const failure = failures.shift();
      if (failure !== undefined) return response.writeHead(failure).end('error');
      if (found === null) return response.writeHead(200).end('ok');
      const user = users.get(found);
      if (command === 'aal_genpass') {
        if (user) user.passwords += 1;
        else users.set(found, { email: found, passwords: 1, flagged: true });
      } else if (command === 'aal_updateuser' && user) {
        user.flagged = true;
      }
      response.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    calls,
    users,
    addExistingUser: (email) => users.set(email.toLowerCase(), { email, passwords: 1, flagged: false }),
    failNext: (...statuses) => failures.push(...statuses),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const FORM = 'application/x-www-form-urlencoded';

/** The CRM contact id the call names, read only where that CRM's own call puts it. */
function contactIdIn(provider: SiteCrm['provider'], contentType: string | undefined, body: string): number | null {
  const idText = (() => {
    switch (provider) {
      case 'activecampaign':
        return contentType === FORM ? new URLSearchParams(body).get('contact[id]') : null;
      case 'keap':
        return contentType === FORM ? new URLSearchParams(body).get('contactId') : null;
      case 'ontraport':
        return contentType === FORM && /^[0-9]+$/.test(body) ? body : null;
      case 'kit':
        return contentType === 'application/json' ? kitSubscriberId(body) : null;
    }
  })();
  return idText !== null && /^[0-9]+$/.test(idText) ? Number(idText) : null;
}

function kitSubscriberId(body: string): string | null {
  try {
    const parsed: unknown = JSON.parse(body);
    const subscriber =
      typeof parsed === 'object' && parsed !== null && 'subscriber' in parsed ? parsed.subscriber : null;
    const id = typeof subscriber === 'object' && subscriber !== null && 'id' in subscriber ? subscriber.id : null;
    return typeof id === 'number' && Number.isSafeInteger(id) ? String(id) : null;
  } catch {
    return null;
  }
}
