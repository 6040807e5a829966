import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { listPausedCrmConnectors } from '../../../adapters/store/crm-connectors.ts';
import { listDeadJobs, retryDeadJobs } from '../../../adapters/store/crm-dead-letters.ts';
import { listDeliveryProblems } from '../../../app/thrivecart/delivery-problems.ts';
import { flashOf, redirectWithFlash, sessionOf } from '../console-plugin.ts';
import { html } from '../html.ts';
import { badge, csrfField, page, when } from '../layout.ts';

export function registerProblemsPage(server: FastifyInstance, ctx: AppContext): void {
  server.get('/problems', async (request, reply) => {
    const session = sessionOf(request);
    const [dead, paused, deliveries] = await Promise.all([listDeadJobs(ctx.pool, 200), listPausedCrmConnectors(ctx.pool), listDeliveryProblems(ctx)]);
    const body = html`<h1>Problems</h1>
<h2>Paused CRM connections</h2>
<div class="panel">${
      paused.length === 0
        ? html`<p class="muted">Every CRM connection is working.</p>`
        : html`<table><thead><tr><th>Connection</th><th>Since</th><th>What to fix</th></tr></thead><tbody>${paused.map(
            (connector) => html`<tr><td>${connector.connector} ${badge('paused', 'bad')}</td><td class="small">${when(connector.pausedSince)}</td><td>${connector.pausedReason}<div class="small muted">Its changes are held, not lost. Fix the key in the configuration and restart; Handoff also re-checks every 5 minutes.</div></td></tr>`,
          )}</tbody></table>`
    }</div>
<h2>Jobs that gave up</h2>
<div class="panel">${
      dead.length === 0
        ? html`<p class="muted">Nothing is dead-lettered.</p>`
        : html`<form method="post" action="/problems/retry-all" class="row" style="padding-top:10px">${csrfField(session.csrfToken)}<button type="submit" class="secondary">Retry all</button></form>
<table><thead><tr><th>Job</th><th class="hide-phone">Gave up</th><th>Cause</th><th></th></tr></thead><tbody>${dead.map(
            (job) => html`<tr><td>${job.kind} <span class="small muted">#${job.id}</span></td><td class="hide-phone small">${when(job.diedAt)} after ${job.attempts} attempt(s)</td><td class="small">${job.lastError}</td>
<td><form method="post" action="/problems/jobs/${job.id}/retry" class="inline">${csrfField(session.csrfToken)}<button type="submit">Retry</button></form></td></tr>`,
          )}</tbody></table>`
    }</div>
<h2>Deliveries Handoff could not use</h2>
<div class="panel">${
      deliveries.rejectedDeliveries.length === 0
        ? html`<p class="muted">Every ThriveCart delivery could be read.</p>`
        : html`<p class="small">Once the cause is fixed, <code>npx handoff replay</code> applies them.</p>
<table><thead><tr><th>Delivery</th><th class="hide-phone">Received</th><th>What was missing</th></tr></thead><tbody>${deliveries.rejectedDeliveries.map(
            (delivery) => html`<tr><td><a href="/deliveries/${delivery.deliveryId}">${delivery.eventName} #${delivery.deliveryId}</a></td><td class="hide-phone small">${when(delivery.receivedAt)}</td><td class="small">${delivery.reason}</td></tr>`,
          )}</tbody></table>`
    }</div>
<h2>Items sold that the configuration does not map</h2>
<div class="panel">${
      deliveries.unmappedItems.length === 0
        ? html`<p class="muted">Every item in the orders Handoff applied is configured.</p>`
        : html`<p class="small">Their buyers got nothing for them. Add the line under <code>items:</code>, choose the offering, restart and run <code>npx handoff replay</code>.</p>
<table><thead><tr><th>Item</th><th>Orders</th><th>Line to add</th></tr></thead><tbody>${deliveries.unmappedItems.map(
            (item) => html`<tr><td>${item.name} <span class="small muted">${item.item}</span></td><td>${item.orders} <span class="small muted">latest ${item.latestOrderId}</span></td><td><code>${item.configLine}</code></td></tr>`,
          )}</tbody></table>`
    }</div>`;
    return reply.type('text/html').send(page({ title: 'Problems', section: '/problems', csrfToken: session.csrfToken, flash: flashOf(request, reply) }, body).text);
  });

  server.post<{ Params: { id: string } }>('/problems/jobs/:id/retry', async (request, reply) => {
    const moved = await retryDeadJobs(ctx.pool, Number(request.params.id) || 0, ctx.clock.now());
    ctx.log.info({ actor: sessionOf(request).actor, jobs: moved }, 'dead jobs retried');
    return redirectWithFlash(reply, '/problems', moved.length > 0 ? `Job ${request.params.id} is queued again.` : `Job ${request.params.id} was already handled by a newer job.`);
  });

  server.post('/problems/retry-all', async (request, reply) => {
    const moved = await retryDeadJobs(ctx.pool, 'all', ctx.clock.now());
    ctx.log.info({ actor: sessionOf(request).actor, jobs: moved }, 'dead jobs retried');
    return redirectWithFlash(reply, '/problems', `${moved.length} job(s) queued again.`);
  });
}
