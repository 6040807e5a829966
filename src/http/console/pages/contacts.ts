import type { FastifyInstance } from 'fastify';
import { html } from '../html.ts';
import type { AppContext } from '../../../app/context.ts';
import { changeAccessByHand } from '../../../app/ledger/change-access-by-hand.ts';
import { eraseContact, exportContact } from '../../../app/contacts/contact-data-rights.ts';
import { resyncContact } from '../../../app/contacts/resync-contact.ts';
import { searchContacts } from '../../../adapters/store/contacts.ts';
import { retryDeadJobs } from '../../../adapters/store/crm-dead-letters.ts';
import { flashOf, redirectWithFlash, sessionOf } from '../console-plugin.ts';
import { sendPage } from '../layout.ts';
import { consoleTimes } from '../views/times.ts';
import { CONTACTS_PAGE_SIZE, contactBody, contactListBody } from './contact-page.ts';
import { loadContactPage } from './contact-page-data.ts';

/** What a resync did, and whether it is an error: a CRM that could not be checked is not "in sync". */
function describeResync(
  report: Awaited<ReturnType<typeof resyncContact>>,
  crms: number,
): { text: string; tone: 'ok' | 'bad' } {
  if (report === null) return { text: 'No such contact.', tone: 'bad' };
  if (crms === 0) return { text: 'No CRM is configured.', tone: 'bad' };
  const fixed = report.drift.map(
    (drift) =>
      `${drift.connector}: ${[...drift.missing.map((tag) => `+${tag}`), ...drift.extra.map((tag) => `−${tag}`)].join(', ') || 'contact created'}`,
  );
  const failed = report.errors.map((error) => `${error.connector}: ${error.message}`);
  const inSync = report.checked - report.drift.length;
  const text = [
    failed.length > 0 ? `Resync failed for ${failed.join('; ')}.` : '',
    fixed.length > 0 ? `Repaired ${fixed.join('; ')}.` : '',
    inSync > 0 ? `${inSync} CRM(s) already in sync.` : '',
  ]
    .filter((part) => part !== '')
    .join(' ');
  return { text, tone: failed.length > 0 ? 'bad' : 'ok' };
}

export function registerContactPages(server: FastifyInstance, ctx: AppContext): void {
  server.get<{ Querystring: { q?: string; page?: string } }>('/contacts', async (request, reply) => {
    const query = (request.query.q ?? '').slice(0, 200);
    const pageNumber = Math.max(1, Number(request.query.page) || 1);
    const contacts = await searchContacts(
      ctx.pool,
      query,
      CONTACTS_PAGE_SIZE + 1,
      (pageNumber - 1) * CONTACTS_PAGE_SIZE,
    );
    const body = contactListBody(query, pageNumber, contacts, consoleTimes(ctx));
    return sendPage(reply, { title: 'Contacts', section: '/contacts', csrfToken: sessionOf(request).csrfToken }, body);
  });

  server.get<{ Params: { email: string } }>('/contacts/:email', async (request, reply) => {
    const session = sessionOf(request);
    const data = await loadContactPage(ctx, request.params.email);
    const flash = flashOf(request, reply);
    if (!data) {
      const body = html`<h1>No contact with email ${request.params.email}</h1>`;
      const options = { title: 'Not found', section: '/contacts', csrfToken: session.csrfToken, flash };
      return sendPage(reply.status(404), options, body);
    }
    const options = { title: data.view.email, section: '/contacts', csrfToken: session.csrfToken, flash };
    return sendPage(reply, options, contactBody(data, session.csrfToken));
  });

  server.post<{ Params: { email: string; id: string } }>('/contacts/:email/jobs/:id/retry', async (request, reply) => {
    const moved = await retryDeadJobs(ctx.pool, Number(request.params.id) || 0, ctx.clock.now());
    ctx.log.info({ actor: sessionOf(request).actor, jobs: moved }, 'dead jobs retried from a contact page');
    const text = moved.length > 0 ? 'Queued again; it runs in a moment.' : 'Already handled by a newer attempt.';
    return redirectWithFlash(reply, `/contacts/${encodeURIComponent(request.params.email)}`, text);
  });

  server.post<{ Params: { email: string }; Body: { offering?: string; action?: string; note?: string } }>(
    '/contacts/:email/access',
    async (request, reply) => {
      const { offering = '', action, note = '' } = request.body ?? {};
      const path = `/contacts/${encodeURIComponent(request.params.email)}`;
      if (!ctx.rules.offerings.has(offering) || (action !== 'grant' && action !== 'revoke') || note.trim() === '') {
        return redirectWithFlash(reply, path, 'Choose an offering and an action, and say why.');
      }
      await changeAccessByHand(ctx, {
        email: request.params.email,
        offering,
        action,
        actor: sessionOf(request).actor,
        note: note.slice(0, 500),
      });
      const name = ctx.rules.offerings.get(offering)!.name;
      return redirectWithFlash(reply, path, `${action === 'grant' ? 'Granted' : 'Revoked'} ${name}.`);
    },
  );

  server.post<{ Params: { email: string } }>('/contacts/:email/resync', async (request, reply) => {
    const outcome = describeResync(await resyncContact(ctx, request.params.email), ctx.config.crm.length);
    return redirectWithFlash(
      reply,
      `/contacts/${encodeURIComponent(request.params.email)}`,
      outcome.text,
      outcome.tone,
    );
  });

  server.get<{ Params: { email: string } }>('/contacts/:email/export', async (request, reply) => {
    const data = await exportContact(ctx, request.params.email);
    if (!data) return reply.status(404).type('text/plain').send('No such contact');
    ctx.log.info({ actor: sessionOf(request).actor, contactId: data.contact.id }, 'contact exported');
    return reply
      .header('content-disposition', `attachment; filename="handoff-contact-${data.contact.id}.json"`)
      .type('application/json')
      .send(JSON.stringify(data, null, 2));
  });

  server.post<{ Params: { email: string }; Body: { confirm?: string } }>(
    '/contacts/:email/erase',
    async (request, reply) => {
      const email = request.params.email.trim().toLowerCase();
      if ((request.body?.confirm ?? '').trim().toLowerCase() !== email) {
        return redirectWithFlash(
          reply,
          `/contacts/${encodeURIComponent(email)}`,
          'Type the exact email to confirm the erasure.',
        );
      }
      const erased = await eraseContact(ctx, email, sessionOf(request).actor);
      return redirectWithFlash(
        reply,
        '/contacts',
        erased
          ? `Erased ${erased.deliveries} stored deliveries and the contact; CRM deletions are queued.`
          : 'No such contact.',
      );
    },
  );
}
