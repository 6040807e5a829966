import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import type { ImportPlan } from '../../../app/thrivecart/import-history.ts';
import { importRowCounts, latestImportRun } from '../../../adapters/store/thrivecart-imports.ts';
import { flashOf, sessionOf } from '../console-plugin.ts';
import { html, type SafeHtml } from '../html.ts';
import { page } from '../layout.ts';
import { consoleTimes } from '../views/times.ts';

/** The Import page: the latest import of ThriveCart history, its progress and its plan. */
export function registerImportPage(server: FastifyInstance, ctx: AppContext): void {
  server.get('/import', async (request, reply) => {
    const session = sessionOf(request);
    const run = await latestImportRun(ctx.pool);
    const counts = run ? await importRowCounts(ctx.pool, run.id) : null;
    const times = consoleTimes(ctx);
    const body = html`<h1>Import</h1>
<div class="panel"><p>Bring in the members who bought before Handoff: <code>npx handoff thrivecart import</code> shows the plan and changes nothing; <code>--apply</code> imports, quietly. Without API access, <code>--csv members.csv</code>.</p></div>
${
  run === null || counts === null
    ? html`<div class="panel"><p class="muted">No import yet.</p></div>`
    : html`<h2>${run.source === 'api' ? 'From the ThriveCart API' : 'From a CSV file'}, started ${times.cell(run.startedAt)}</h2>
<div class="panel"><p>${run.appliedAt === null ? html`Not applied yet (last step ${times.cell(run.updatedAt)}).` : html`Applied ${times.cell(run.appliedAt)}.`}
${run.source === 'api' ? html` Fetched ${counts.transactions} transactions (${run.pagesFetched} pages${run.transactionsComplete ? ', all' : ', more to come'}) and asked about ${counts.customers} buyers.` : ''}</p>
${run.plan ? planSection(run.plan as ImportPlan) : html`<p class="muted">No plan yet: the fetch has not finished.</p>`}</div>`
}`;
    return reply
      .type('text/html')
      .send(
        page(
          { title: 'Import', section: '/import', csrfToken: session.csrfToken, flash: flashOf(request, reply) },
          body,
        ).text,
      );
  });
}

function planSection(plan: ImportPlan): SafeHtml {
  const counts = (record: Record<string, number>) =>
    Object.entries(record)
      .map(([offering, people]) => `${offering}: ${people}`)
      .join(', ') || 'none';
  return html`<table><tbody>
<tr><th>People</th><td>${plan.people} (${plan.events} new events, ${plan.alreadyKnown} already known)</td></tr>
<tr><th>Access granted</th><td>${counts(plan.offeringsGranted)}</td></tr>
<tr><th>Access revoked</th><td>${counts(plan.offeringsRevoked)}</td></tr>
<tr><th>Items not configured</th><td>${plan.unknownItems.length === 0 ? 'none' : plan.unknownItems.map((item) => `${item.item} "${item.name}" (${item.people} people)`).join('; ')}</td></tr>
<tr><th>Not imported</th><td>${plan.notImported.length === 0 ? 'none' : html`<ul>${plan.notImported.map((skipped) => html`<li class="small">${skipped.email} ${skipped.item} order ${skipped.orderId}: ${skipped.reason}</li>`)}</ul>`}</td></tr>
</tbody></table>`;
}
