import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { changeAccessByHand } from '../../../app/ledger/change-access-by-hand.ts';
import { getContactView, getTimeline } from '../../../app/contacts/contact-views.ts';
import { eraseContact, exportContact } from '../../../app/contacts/contact-data-rights.ts';
import { resyncContact } from '../../../app/contacts/resync-contact.ts';
import { findContactByEmail, searchContacts } from '../../../adapters/store/contacts.ts';
import { listContactCrmStatus } from '../../../adapters/store/crm-sync-status.ts';
import { flashOf, redirectWithFlash, sessionOf } from '../console-plugin.ts';
import { html } from '../html.ts';
import { badge, csrfField, page, when } from '../layout.ts';
import { teamsOfContact } from '../../../app/teams/team-views.ts';
import { contactTeamsSection } from './team-panels.ts';

const PAGE_SIZE = 50;

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
    const contacts = await searchContacts(ctx.pool, query, PAGE_SIZE + 1, (pageNumber - 1) * PAGE_SIZE);
    const more = contacts.length > PAGE_SIZE;
    const body = html`<h1>Contacts</h1>
<form method="get" action="/contacts" class="row"><input type="search" name="q" value="${query}" placeholder="email or name" aria-label="Search contacts" style="flex:1;min-width:200px"><button type="submit">Search</button></form>
<div class="panel" style="margin-top:12px"><table><thead><tr><th>Email</th><th>Name</th><th class="hide-phone">Last change</th></tr></thead><tbody>
${contacts
  .slice(0, PAGE_SIZE)
  .map(
    (contact) =>
      html`<tr><td><a href="/contacts/${encodeURIComponent(contact.email)}">${contact.email}</a></td><td>${contact.name}</td><td class="hide-phone small">${when(contact.updatedAt)}</td></tr>`,
  )}</tbody></table>${contacts.length === 0 ? html`<p class="muted">No contact matches.</p>` : ''}</div>
<p class="pager row">${pageNumber > 1 ? html`<a href="/contacts?q=${encodeURIComponent(query)}&page=${pageNumber - 1}">← Newer</a>` : ''} ${more ? html`<a href="/contacts?q=${encodeURIComponent(query)}&page=${pageNumber + 1}">Older →</a>` : ''}</p>`;
    return reply
      .type('text/html')
      .send(page({ title: 'Contacts', section: '/contacts', csrfToken: sessionOf(request).csrfToken }, body).text);
  });

  server.get<{ Params: { email: string } }>('/contacts/:email', async (request, reply) => {
    const session = sessionOf(request);
    const [view, timeline, contact, teams] = await Promise.all([
      getContactView(ctx, request.params.email),
      getTimeline(ctx, request.params.email),
      findContactByEmail(ctx.pool, request.params.email),
      teamsOfContact(ctx, request.params.email),
    ]);
    const crm = contact && ctx.config.crm.length > 0 ? await listContactCrmStatus(ctx.pool, contact.id) : [];
    const flash = flashOf(request, reply);
    if (!view)
      return reply
        .status(404)
        .type('text/html')
        .send(
          page(
            { title: 'Not found', section: '/contacts', csrfToken: session.csrfToken, flash },
            html`<h1>No contact with email ${request.params.email}</h1>`,
          ).text,
        );
    const path = `/contacts/${encodeURIComponent(view.email)}`;
    const offerings = [...ctx.rules.offerings.values()];
    const body = html`<h1>${view.name ?? view.email}</h1>
<p class="muted">${view.email}${view.thrivecartCustomerId ? ` · ThriveCart customer ${view.thrivecartCustomerId}` : ''}</p>
<h2>Access</h2>
<div class="panel"><table><thead><tr><th>Offering</th><th>Access</th><th>Until</th><th class="hide-phone">Why</th></tr></thead><tbody>
${view.access.map(
  (entry) =>
    html`<tr><td>${entry.offeringName}</td><td>${entry.granted ? badge('granted', 'ok') : badge('no access', 'bad')}</td><td class="small">${entry.until ? when(entry.until) : entry.granted ? 'no end' : ''}</td><td class="hide-phone small">${entry.reason}</td></tr>`,
)}</tbody></table>${view.access.length === 0 ? html`<p class="muted">No offering yet.</p>` : ''}
<form method="post" action="${path}/access" class="row" style="margin-top:10px">${csrfField(session.csrfToken)}
  <select name="offering" aria-label="Offering">${offerings.map((offering) => html`<option value="${offering.id}">${offering.name}</option>`)}</select>
  <select name="action" aria-label="Action"><option value="grant">Grant</option><option value="revoke">Revoke</option></select>
  <input name="note" placeholder="why (kept in the timeline)" required aria-label="Why">
  <button type="submit">Apply by hand</button>
</form></div>
${contactTeamsSection(teams)}
<h2>Tags</h2>
<div class="panel"><table><thead><tr><th>Tag</th><th class="hide-phone">Since</th><th>Why</th></tr></thead><tbody>
${view.tags.map((tag) => html`<tr><td>${tag.name}</td><td class="hide-phone small">${when(tag.since)}</td><td class="small">${tag.deliveryId ? html`<a href="/deliveries/${tag.deliveryId}">${tag.why}</a>` : tag.why}</td></tr>`)}
</tbody></table>${view.tags.length === 0 ? html`<p class="muted">No tags.</p>` : ''}</div>
${
  ctx.config.crm.length === 0
    ? ''
    : html`<h2>CRM sync</h2>
<div class="panel"><table><thead><tr><th>CRM</th><th>State</th><th class="hide-phone">Last push</th><th class="hide-phone">CRM id</th></tr></thead><tbody>
${ctx.config.crm.map((connection) => {
  const status = crm.find((entry) => entry.connector === connection.name);
  const desired = view.tags
    .map((tag) => tag.name)
    .sort()
    .join('\n');
  const inSync =
    status !== undefined &&
    !status.pending &&
    status.lastError === null &&
    [...status.knownTags].sort().join('\n') === desired;
  const state = !status
    ? badge('not pushed yet', 'warn')
    : status.lastError
      ? badge('error', 'bad')
      : status.pending
        ? badge('pending', 'warn')
        : inSync
          ? badge('in sync', 'ok')
          : badge('pending', 'warn');
  return html`<tr><td>${connection.name}</td><td>${state}${status?.lastError ? html`<div class="small">${status.lastError}</div>` : ''}</td><td class="hide-phone small">${status?.syncedAt ? when(status.syncedAt) : ''}</td><td class="hide-phone small mono">${status?.remoteId}</td></tr>`;
})}</tbody></table></div>`
}
<h2>Timeline</h2>
<div class="panel"><table><tbody>
${(timeline ?? []).map(
  (
    entry,
  ) => html`<tr><td class="small" style="white-space:nowrap">${when(entry.at)}</td><td>${entry.deliveryId ? html`<a href="/deliveries/${entry.deliveryId}">${entry.summary}</a>` : entry.summary}
  <div class="small muted">${entry.tagChanges.map((change) => `${change.change === 'added' ? '+' : '−'} ${change.tag}`).join(' · ')}</div></td></tr>`,
)}</tbody></table></div>
<h2>Actions</h2>
<div class="panel"><div class="row" style="padding-top:10px">
  <form method="post" action="${path}/resync" class="inline">${csrfField(session.csrfToken)}<button class="secondary" type="submit">Resync to CRMs</button></form>
  <a class="badge" href="${path}/export">Export (JSON)</a>
</div>
<form method="post" action="${path}/erase" class="row" style="margin-top:14px">${csrfField(session.csrfToken)}
  <input name="confirm" placeholder="type the email to erase" aria-label="Type the email to confirm erasure" required>
  <button class="danger" type="submit">Erase all personal data</button>
  <span class="small muted">GDPR erasure: removes this person from Handoff (stored deliveries included) and from the CRMs. Cannot be undone.</span>
</form></div>`;
    return reply
      .type('text/html')
      .send(page({ title: view.email, section: '/contacts', csrfToken: session.csrfToken, flash }, body).text);
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
