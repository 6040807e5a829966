import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import {
  addWebhookEndpoint,
  listWebhookEndpointViews,
  removeWebhookEndpoint,
  setWebhookEndpointEnabled,
  type WebhookEndpointView,
} from '../../../app/webhooks/webhook-endpoints.ts';
import { WEBHOOK_EVENT_TYPES } from '../../../core/webhooks/webhook-event.ts';
import { listRecentDeliveries, type DeliveryView } from '../../../adapters/store/webhook-deliveries.ts';
import { flashOf, redirectWithFlash, sessionOf } from '../console-plugin.ts';
import { html, type SafeHtml } from '../html.ts';
import { badge, csrfField, sendPage } from '../layout.ts';
import type { Tone } from '../views/tone.ts';
import { consoleTimes, type ConsoleTimes } from '../views/times.ts';

const RECENT_DELIVERIES = 100;

/** Signed webhooks to membership sites: endpoints, adding one (its secret is shown once), recent deliveries. */
export function registerWebhooksPage(server: FastifyInstance, ctx: AppContext): void {
  const render = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: {
      flash?: { text: string; bad?: boolean } | null;
      created?: { endpoint: WebhookEndpointView; secret: string };
    },
  ) => {
    const session = sessionOf(request);
    const times = consoleTimes(ctx);
    const [endpoints, deliveries] = await Promise.all([
      listWebhookEndpointViews(ctx),
      listRecentDeliveries(ctx.pool, { limit: RECENT_DELIVERIES }),
    ]);
    const body = html`<h1>Webhooks to your sites</h1>
<p class="muted">Sites other than AccessAlly hear about access and failed payments here, signed per Standard Webhooks.</p>
${extra.created ? createdNotice(extra.created) : ''}
<h2>Endpoints</h2>
<div class="panel">${endpointTable(endpoints, session.csrfToken, times)}</div>
<h2>Add an endpoint</h2>
<div class="panel"><form method="post" action="/webhooks/endpoints" class="stack form-gap">${csrfField(session.csrfToken)}
<label>URL <input name="url" type="url" required placeholder="https://members.example.com/handoff-webhook"></label>
<label>Name <input name="name" placeholder="members site"></label>
<fieldset><legend class="small muted">Events (none ticked: all)</legend>${WEBHOOK_EVENT_TYPES.map(eventCheckbox)}</fieldset>
<button type="submit">Add endpoint</button></form></div>
<h2>Recent deliveries</h2>
<div class="panel">${deliveryTable(deliveries, times)}</div>`;
    return sendPage(
      reply,
      { title: 'Webhooks', section: '/webhooks', csrfToken: session.csrfToken, flash: extra.flash ?? null },
      body,
    );
  };

  server.get('/webhooks', async (request, reply) => render(request, reply, { flash: flashOf(request, reply) }));

  server.post<{ Body: { url?: string; name?: string; events?: string | string[] } }>(
    '/webhooks/endpoints',
    async (request, reply) => {
      const { url = '', name, events } = request.body ?? {};
      const added = await addWebhookEndpoint(ctx, {
        url,
        name,
        events: events === undefined ? 'all' : [events].flat(),
      });
      if (added.error !== null)
        return render(request, reply.status(400), { flash: { text: `Not added: ${added.error}.`, bad: true } });
      ctx.log.info({ actor: sessionOf(request).actor, endpoint: added.endpoint.name }, 'webhook endpoint added');
      // Rendered here rather than redirected: the secret must not travel in a URL, and is never shown again.
      return render(request, reply, { created: { endpoint: added.endpoint, secret: added.secret } });
    },
  );

  server.post<{ Params: { id: string; action: string } }>('/webhooks/endpoints/:id/:action', async (request, reply) => {
    const id = Number(request.params.id) || 0;
    const actor = sessionOf(request).actor;
    const { action } = request.params;
    if (action !== 'enable' && action !== 'disable' && action !== 'delete')
      return reply.status(404).type('text/plain').send('Unknown action.');
    const done =
      action === 'delete'
        ? await removeWebhookEndpoint(ctx, id)
        : await setWebhookEndpointEnabled(ctx, id, action === 'enable', actor);
    ctx.log.info({ actor, endpointId: id, action, done }, 'webhook endpoint changed');
    return redirectWithFlash(
      reply,
      '/webhooks',
      done
        ? `Endpoint ${action}d.`
        : 'No such endpoint (configuration endpoints are removed in the configuration file).',
    );
  });
}

function eventCheckbox(type: string): SafeHtml {
  return html`<label class="small"><input type="checkbox" name="events" value="${type}"> ${type}</label> `;
}

function createdNotice(created: { endpoint: WebhookEndpointView; secret: string }): SafeHtml {
  return html`<div class="panel" role="status"><h2>Added ${created.endpoint.name}</h2>
<p>Give your site this signing secret now; it is not shown again:</p>
<pre class="mono">${created.secret}</pre>
<p class="small muted">See docs/webhooks.md for how the site verifies each message.</p></div>`;
}

function endpointTable(endpoints: WebhookEndpointView[], csrfToken: string, times: ConsoleTimes): SafeHtml {
  if (endpoints.length === 0)
    return html`<p class="muted">No endpoint yet: add one below, or under <code>webhooks:</code> in the configuration file.</p>`;
  const head = html`<tr><th>Name</th><th>URL</th><th class="hide-phone">Events</th><th>Status</th><th></th></tr>`;
  const rows = endpoints.map((endpoint) => endpointRow(endpoint, csrfToken, times));
  return html`<table><thead>${head}</thead><tbody>${rows}</tbody></table>`;
}

function endpointRow(endpoint: WebhookEndpointView, csrfToken: string, times: ConsoleTimes): SafeHtml {
  const origin = endpoint.source === 'config' ? 'configuration file' : html`added ${times.cell(endpoint.createdAt)}`;
  const events = endpoint.events === 'all' ? 'all' : endpoint.events.join(', ');
  const status = endpoint.enabled
    ? badge('enabled', 'ok')
    : html`${badge('disabled', 'bad')}<div class="small muted">${endpoint.disabledReason}</div>`;
  const toggle = endpoint.enabled
    ? endpointAction(endpoint, 'disable', 'Disable', csrfToken)
    : endpointAction(endpoint, 'enable', 'Enable', csrfToken);
  const remove = endpoint.source === 'console' ? endpointAction(endpoint, 'delete', 'Delete', csrfToken, 'danger') : '';
  return html`<tr><td>${endpoint.name}<div class="small muted">${origin}</div></td>
<td class="mono">${endpoint.url}</td><td class="hide-phone small">${events}</td>
<td>${status}</td><td>${toggle}${remove}</td></tr>`;
}

function endpointAction(
  endpoint: WebhookEndpointView,
  name: string,
  label: string,
  csrfToken: string,
  style = 'secondary',
): SafeHtml {
  return html`<form method="post" action="/webhooks/endpoints/${endpoint.id}/${name}" class="inline">${csrfField(csrfToken)}
<button type="submit" class="${style}">${label}</button></form> `;
}

const STATE_TONES: Record<DeliveryView['state'], Tone> = {
  delivered: 'ok',
  dead: 'bad',
  pending: 'warn',
  cancelled: 'plain',
};

function deliveryTable(deliveries: DeliveryView[], times: ConsoleTimes): SafeHtml {
  if (deliveries.length === 0) return html`<p class="muted">Nothing sent yet.</p>`;
  const head = html`<tr><th>Event</th><th>Endpoint</th><th>Status</th><th class="hide-phone">Attempts</th><th>Last answer</th></tr>`;
  return html`<table><thead>${head}</thead><tbody>${deliveries.map((delivery) => deliveryRow(delivery, times))}</tbody></table>`;
}

function deliveryRow(delivery: DeliveryView, times: ConsoleTimes): SafeHtml {
  const state = badge(
    delivery.state === 'pending' && delivery.attempts > 0 ? 'retrying' : delivery.state,
    STATE_TONES[delivery.state],
  );
  const lastAttempt = delivery.lastAttemptAt
    ? html`<div class="muted">${times.cell(delivery.lastAttemptAt)}</div>`
    : '';
  const answer = `${delivery.lastStatusCode === null ? '' : `HTTP ${delivery.lastStatusCode}`} ${delivery.lastError ?? ''}`;
  return html`<tr><td>${delivery.type}<div class="small muted mono">${delivery.messageId}</div></td><td>${delivery.endpointName}</td>
<td>${state}</td><td class="hide-phone small">${delivery.attempts}${lastAttempt}</td><td class="small">${answer}</td></tr>`;
}
