import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { replayDelivery } from '../../../app/ledger/replay-delivery.ts';
import { findContactById } from '../../../adapters/store/contacts.ts';
import { getDelivery, listDeliveries, type DeliveryStatus } from '../../../adapters/store/deliveries.ts';
import { flashOf, redirectWithFlash, sessionOf } from '../console-plugin.ts';
import { html, type SafeHtml } from '../html.ts';
import { badge, csrfField, page, when } from '../layout.ts';

const STATUSES: DeliveryStatus[] = ['applied', 'ignored', 'failed', 'rejected'];
const PAGE_SIZE = 50;

export function statusBadge(status: DeliveryStatus): SafeHtml {
  return badge(status, status === 'applied' ? 'ok' : status === 'ignored' ? 'plain' : 'bad');
}

export function registerDeliveryPages(server: FastifyInstance, ctx: AppContext): void {
  server.get<{ Querystring: { status?: string; before?: string } }>('/deliveries', async (request, reply) => {
    const status = STATUSES.includes(request.query.status as DeliveryStatus)
      ? (request.query.status as DeliveryStatus)
      : undefined;
    const before = Number(request.query.before) || undefined;
    const deliveries = await listDeliveries(ctx.pool, { status, limit: PAGE_SIZE, beforeId: before });
    const filter = (value: DeliveryStatus | undefined, label: string): SafeHtml =>
      html`<a href="/deliveries${value ? `?status=${value}` : ''}" class="badge ${value === status ? 'ok' : ''}">${label}</a>`;
    const body = html`<h1>Deliveries</h1>
<p class="row">${filter(undefined, 'all')} ${STATUSES.map((value) => filter(value, value))}</p>
<div class="panel"><table><thead><tr><th>#</th><th>Received</th><th>Event</th><th>Outcome</th><th class="hide-phone">Why</th></tr></thead><tbody>
${deliveries.map(
  (delivery) =>
    html`<tr><td><a href="/deliveries/${delivery.id}">${delivery.id}</a></td><td class="small">${when(delivery.receivedAt)}</td><td>${delivery.eventName}${delivery.live ? '' : html` ${badge('test')}`}</td><td>${statusBadge(delivery.status)}</td><td class="hide-phone small">${delivery.reason}</td></tr>`,
)}
</tbody></table>${deliveries.length === 0 ? html`<p class="muted">No deliveries${status ? ` with status ${status}` : ''} yet.</p>` : ''}</div>
${deliveries.length === PAGE_SIZE ? html`<p class="pager"><a href="/deliveries?${status ? `status=${status}&` : ''}before=${deliveries.at(-1)!.id}">Older →</a></p>` : ''}`;
    return reply
      .type('text/html')
      .send(page({ title: 'Deliveries', section: '/deliveries', csrfToken: sessionOf(request).csrfToken }, body).text);
  });

  server.get<{ Params: { id: string } }>('/deliveries/:id', async (request, reply) => {
    const delivery = await getDelivery(ctx.pool, Number(request.params.id) || 0);
    const session = sessionOf(request);
    if (!delivery)
      return reply
        .status(404)
        .type('text/html')
        .send(
          page({ title: 'Not found', csrfToken: session.csrfToken }, html`<h1>No delivery ${request.params.id}</h1>`)
            .text,
        );
    const contact = delivery.contactId === null ? null : await findContactById(ctx.pool, delivery.contactId);
    const body = html`<h1>Delivery ${delivery.id} ${statusBadge(delivery.status)}</h1>
<div class="panel"><table>
<tr><th>Event</th><td>${delivery.eventName}${delivery.live ? '' : ' (test mode)'}</td></tr>
<tr><th>Received</th><td>${when(delivery.receivedAt)}</td></tr>
<tr><th>Happened</th><td>${when(delivery.occurredAt)}</td></tr>
<tr><th>Outcome</th><td>${delivery.status}${delivery.reason ? html`: ${delivery.reason}` : ''}</td></tr>
<tr><th>Contact</th><td>${contact ? html`<a href="/contacts/${encodeURIComponent(contact.email)}">${contact.email}</a>` : html`<span class="muted">none</span>`}</td></tr>
</table>
<form method="post" action="/deliveries/${delivery.id}/replay" class="row">${csrfField(session.csrfToken)}<button type="submit">Replay this delivery</button><span class="muted small">applies it again with the current configuration (safe: applying is idempotent)</span></form>
</div>
<h2>What Handoff understood</h2><pre>${JSON.stringify(delivery.event, null, 2) ?? 'nothing (not a usable event)'}</pre>
<h2>As received (secret word removed)</h2><pre>${JSON.stringify(delivery.body, null, 2)}</pre>`;
    return reply.type('text/html').send(
      page(
        {
          title: `Delivery ${delivery.id}`,
          section: '/deliveries',
          csrfToken: session.csrfToken,
          flash: flashOf(request, reply),
        },
        body,
      ).text,
    );
  });

  server.post<{ Params: { id: string } }>('/deliveries/:id/replay', async (request, reply) => {
    const outcome = await replayDelivery(ctx, Number(request.params.id) || 0);
    if (!outcome) return reply.status(404).type('text/plain').send('No such delivery');
    const text =
      outcome.status === 'applied'
        ? 'Replayed: applied.'
        : `Replayed: ${outcome.status}${outcome.reason ? ` (${outcome.reason})` : ''}.`;
    return redirectWithFlash(reply, `/deliveries/${outcome.deliveryId}`, text);
  });
}
