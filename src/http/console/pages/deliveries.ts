import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { getTimeline, type TimelineView } from '../../../app/contacts/contact-views.ts';
import { CONSOLE_SOURCE } from '../../../app/ledger/change-access-by-hand.ts';
import { replayDelivery } from '../../../app/ledger/replay-delivery.ts';
import { offeringName } from '../../../core/ledger/rules.ts';
import { findContactById, fullName } from '../../../adapters/store/contacts.ts';
import {
  getDelivery,
  listDeliveryRows,
  type DeliveryListRow,
  type DeliveryRecord,
  type DeliveryStatus,
} from '../../../adapters/store/deliveries.ts';
import { flashOf, redirectWithFlash, sessionOf } from '../console-plugin.ts';
import { html, type SafeHtml } from '../html.ts';
import { badge, csrfField, sendPage } from '../layout.ts';
import { eventAmount, eventItems, eventLabel, outcomeOf } from '../views/delivery-view.ts';
import { bodyRow, headRow, type Column } from '../table.ts';
import { consoleTimes, type ConsoleTimes } from '../views/times.ts';

const STATUSES: DeliveryStatus[] = ['applied', 'ignored', 'failed', 'rejected'];
const PAGE_SIZE = 50;

export function statusBadge(status: DeliveryStatus): SafeHtml {
  const outcome = outcomeOf(status);
  return badge(outcome.label, outcome.tone);
}

export function registerDeliveryPages(server: FastifyInstance, ctx: AppContext): void {
  server.get<{ Querystring: { status?: string; before?: string } }>('/deliveries', async (request, reply) => {
    const status = STATUSES.find((value) => value === request.query.status);
    const before = Number(request.query.before) || undefined;
    const rows = await listDeliveryRows(ctx.pool, {
      status,
      limit: PAGE_SIZE,
      beforeId: before,
      exceptSource: CONSOLE_SOURCE,
    });
    const view: ListView = { rows, status, times: consoleTimes(ctx), ctx };
    const session = sessionOf(request);
    return sendPage(
      reply,
      { title: 'Deliveries', section: '/deliveries', csrfToken: session.csrfToken },
      listBody(view),
    );
  });

  server.get<{ Params: { id: string } }>('/deliveries/:id', async (request, reply) => {
    const delivery = await getDelivery(ctx.pool, Number(request.params.id) || 0);
    const session = sessionOf(request);
    if (!delivery) {
      const body = html`<h1>No delivery ${request.params.id}</h1>`;
      return sendPage(reply.status(404), { title: 'Not found', csrfToken: session.csrfToken }, body);
    }
    const contact = delivery.contactId === null ? null : await findContactById(ctx.pool, delivery.contactId);
    const timeline = contact ? await getTimeline(ctx, contact.email) : null;
    const view: DetailView = {
      delivery,
      contact: contact && { email: contact.email, name: fullName(contact.firstName, contact.lastName) },
      effects: (timeline ?? []).filter((entry) => entry.deliveryId === delivery.id),
      times: consoleTimes(ctx),
      ctx,
    };
    const options = {
      title: `Delivery ${delivery.id}`,
      section: '/deliveries',
      csrfToken: session.csrfToken,
      flash: flashOf(request, reply),
    };
    return sendPage(reply, options, detailBody(view, session.csrfToken));
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

interface ListView {
  rows: DeliveryListRow[];
  status: DeliveryStatus | undefined;
  times: ConsoleTimes;
  ctx: AppContext;
}

function listBody(view: ListView): SafeHtml {
  const { rows, status } = view;
  const empty =
    rows.length === 0 ? html`<p class="muted">No deliveries${status ? ` with status ${status}` : ''} yet.</p>` : '';
  return html`<h1>Deliveries</h1>
<p class="row">${filterLink(undefined, 'all', status)} ${STATUSES.map((value) => filterLink(value, value, status))}</p>
<div class="panel"><table class="deliveries"><thead>${headRow(LIST_COLUMNS)}</thead>
<tbody>${rows.map((row) => listRow(row, view))}</tbody></table>${empty}</div>
${rows.length === PAGE_SIZE ? olderLink(status, rows.at(-1)!.id) : ''}`;
}

function filterLink(value: DeliveryStatus | undefined, label: string, current: DeliveryStatus | undefined): SafeHtml {
  const href = `/deliveries${value ? `?status=${value}` : ''}`;
  return html`<a href="${href}" class="badge ${value === current ? 'ok' : ''}">${label}</a>`;
}

function olderLink(status: DeliveryStatus | undefined, lastId: number): SafeHtml {
  const href = `/deliveries?${status ? `status=${status}&` : ''}before=${lastId}`;
  return html`<p class="pager"><a href="${href}">Older →</a></p>`;
}

const LIST_COLUMNS: Column[] = [
  { label: 'Received', className: 'small' },
  { label: 'Event' },
  { label: 'Who' },
  { label: 'What', className: 'small' },
  { label: 'Amount', className: 'num' },
  { label: 'Outcome' },
];

function listRow(row: DeliveryListRow, { times, ctx }: ListView): SafeHtml {
  const test = row.live ? '' : html` ${badge('test')}`;
  return bodyRow(LIST_COLUMNS, [
    html`<a href="/deliveries/${row.id}">${times.cell(row.receivedAt)}</a>`,
    html`${eventLabel(row.eventName, row.event)}${test}`,
    who(row.email, row.name),
    eventItems(row.event, ctx.rules),
    eventAmount(row.event),
    html`${statusBadge(row.status)}${row.reason ? html`<div class="small muted">${row.reason}</div>` : ''}`,
  ]);
}

/** The person, linked to their page when Handoff knows them; the e-mail alone when they are not a contact. */
function who(email: string | null, name: string | null): SafeHtml {
  if (email === null) return html`<span class="muted">unknown</span>`;
  const label = name ?? email;
  const detail = name ? html`<div class="small muted">${email}</div>` : '';
  return html`<a href="/contacts/${encodeURIComponent(email)}">${label}</a>${detail}`;
}

interface DetailView {
  delivery: DeliveryRecord;
  contact: { email: string; name: string | null } | null;
  /** What applying it changed: the contact's timeline entries it caused. */
  effects: TimelineView[];
  times: ConsoleTimes;
  ctx: AppContext;
}

function detailBody(view: DetailView, csrfToken: string): SafeHtml {
  const { delivery } = view;
  return html`<h1>Delivery ${delivery.id} ${statusBadge(delivery.status)}</h1>
<div class="panel summary">${summaryTable(view)}${replayForm(delivery.id, csrfToken)}</div>
<h2>What Handoff understood</h2><pre>${JSON.stringify(delivery.event, null, 2) ?? 'nothing (not a usable event)'}</pre>
<h2>As received (secret word removed)</h2><pre>${JSON.stringify(delivery.body, null, 2)}</pre>`;
}

function summaryTable(view: DetailView): SafeHtml {
  const { delivery, times, ctx } = view;
  const test = delivery.live ? '' : ' (test mode)';
  const email = view.contact?.email ?? delivery.event?.customer.email ?? null;
  const event = html`${eventLabel(delivery.eventName, delivery.event)}${test} <span class="small muted">${delivery.eventName}</span>`;
  return html`<table>
${summaryRow('Event', event)}
${summaryRow('Who', who(email, view.contact?.name ?? null))}
${summaryRow('What', eventItems(delivery.event, ctx.rules) || html`<span class="muted">nothing named</span>`)}
${summaryRow('Amount', eventAmount(delivery.event) || html`<span class="muted">none</span>`)}
${summaryRow('Received', times.cell(delivery.receivedAt))}
${summaryRow('Happened', delivery.occurredAt === null ? '' : times.cell(delivery.occurredAt))}
${summaryRow('What Handoff did', whatHandoffDid(view))}
</table>`;
}

function summaryRow(label: string, value: SafeHtml | string): SafeHtml {
  return html`<tr><th>${label}</th><td>${value}</td></tr>`;
}

const NOTHING_DONE: Record<Exclude<DeliveryStatus, 'applied'>, string> = {
  ignored: 'Nothing: ignored',
  failed: 'Nothing yet: applying it failed',
  rejected: 'Nothing: rejected',
};

/** The outcome in words: the access and tags it changed and why, or why it changed nothing. */
function whatHandoffDid({ delivery, effects, ctx }: DetailView): SafeHtml {
  if (delivery.status !== 'applied') {
    return html`${NOTHING_DONE[delivery.status]}${delivery.reason ? html`, because ${delivery.reason}` : ''}.`;
  }
  const changes = effects.flatMap((entry) => [
    ...entry.accessChanges.map((change) => {
      const verb = change.granted ? 'Granted' : 'Removed';
      return html`<li>${verb} access to ${offeringName(ctx.rules, change.offering)}: ${change.reason}</li>`;
    }),
    ...entry.tagChanges.map(
      (change) => html`<li>${change.change === 'added' ? 'Added' : 'Removed'} tag ${change.tag}</li>`,
    ),
  ]);
  if (changes.length === 0) return html`Applied; it changed no access and no tag (already as it says).`;
  return html`<ul class="effects">${changes}</ul>`;
}

function replayForm(deliveryId: number, csrfToken: string): SafeHtml {
  return html`<form method="post" action="/deliveries/${deliveryId}/replay" class="row">${csrfField(csrfToken)}
<button type="submit">Replay this delivery</button>
<span class="muted small">applies it again with the current configuration (safe: applying is idempotent)</span></form>`;
}
