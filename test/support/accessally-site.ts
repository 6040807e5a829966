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
 * Where AccessAlly is silent, the most hostile reading: `aal_genpass` for a person who already has
 * a user gives them a new password (locking them out of the one they know), and `aal_updateuser`
 * for someone without a user does nothing and still answers 200.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SiteCall {
  command: 'aal_genpass' | 'aal_updateuser' | 'other';
  contentType: string | undefined;
  fields: Record<string, string>;
  /** The tags the CRM held for the person when the call arrived. */
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

export async function startAccessAllySite(crmTagsNow: (email: string) => string[]): Promise<AccessAllySite> {
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
      const fields = Object.fromEntries(new URLSearchParams(body));
      const email =
        Object.values(fields)
          .find((value) => value.includes('@'))
          ?.toLowerCase() ?? '';
      calls.push({ command, contentType: request.headers['content-type'], fields, crmTagsThen: crmTagsNow(email) });
      const failure = failures.shift();
      if (failure !== undefined) return response.writeHead(failure).end('error');
      const user = users.get(email);
      if (command === 'aal_genpass') {
        if (user) user.passwords += 1;
        else users.set(email, { email, passwords: 1, flagged: true });
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
