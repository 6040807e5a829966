import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import type { ImportPlan } from '../../../app/thrivecart/import-history.ts';
import { importInProgress, queueImport } from '../../../app/thrivecart/import-job.ts';
import {
  describeWindow,
  parseHistoryWindow,
  WindowError,
  type HistoryWindow,
} from '../../../app/thrivecart/history-window.ts';
import { importRowCounts, latestImportRun, type ImportRun } from '../../../adapters/store/thrivecart-imports.ts';
import { flashOf, redirectWithFlash, sessionOf } from '../console-plugin.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, page } from '../layout.ts';
import { consoleTimes } from '../views/times.ts';

/** How often the page reloads itself while an import runs, in seconds (the `Refresh` header). */
const PROGRESS_REFRESH_SECONDS = 3;

/**
 * The Import page: start an import of ThriveCart history (plan, then apply once the plan is read
 * and confirmed), follow its progress (the page reloads itself while it runs), and the latest
 * import with its plan.
 */
export function registerImportPage(server: FastifyInstance, ctx: AppContext): void {
  server.get('/import', async (request, reply) => {
    const session = sessionOf(request);
    const [run, running] = await Promise.all([latestImportRun(ctx.pool), importInProgress(ctx.pool)]);
    const counts = run ? await importRowCounts(ctx.pool, run.id) : null;
    const times = consoleTimes(ctx);
    const apiReady = ctx.config.thrivecart.apiKey !== undefined;
    const body = html`<h1>Import</h1>
<div class="panel"><p>Bring in the members who bought before Handoff. The plan changes nothing; applying it imports, quietly (no e-mails, no "new member" webhooks). From a terminal: <code>npx handoff thrivecart import</code>, <code>--apply</code>; without API access, <code>--csv members.csv</code>.</p>
${apiReady ? startForm(session.csrfToken, running !== null) : html`<p class="muted">Add <code>thrivecart.apiKey</code> to the configuration to import from ThriveCart's API here.</p>`}</div>
${running === null ? '' : html`<div class="panel" data-import-progress><p><strong>${running.apply ? 'Applying the plan' : 'Planning'}: ${running.state === 'running' ? 'in progress' : 'waiting for its turn'}.</strong> ${counts ? progressLine(counts, run) : ''} This page refreshes itself.</p></div>`}
${
  run === null || counts === null
    ? html`<div class="panel"><p class="muted">No import yet.</p></div>`
    : html`<h2>${run.source === 'api' ? 'From the ThriveCart API' : 'From a CSV file'}, started ${times.cell(run.startedAt)}</h2>
<div class="panel"><p>${run.appliedAt === null ? html`Not applied yet (last step ${times.cell(run.updatedAt)}).` : html`Applied ${times.cell(run.appliedAt)}.`}
${run.source === 'api' ? progressLine(counts, run) : ''}</p>
${run.plan ? planSection(run.plan as ImportPlan) : html`<p class="muted">No plan yet: the fetch has not finished.</p>`}
${apiReady && run.source === 'api' && run.appliedAt === null && run.plan !== null && running === null ? applyForm(session.csrfToken) : ''}</div>`
}`;
    if (running !== null) void reply.header('refresh', String(PROGRESS_REFRESH_SECONDS));
    return reply
      .type('text/html')
      .send(
        page(
          { title: 'Import', section: '/import', csrfToken: session.csrfToken, flash: flashOf(request, reply) },
          body,
        ).text,
      );
  });

  server.post<{ Body: { since?: string; until?: string } }>('/import/plan', async (request, reply) => {
    if (ctx.config.thrivecart.apiKey === undefined)
      return redirectWithFlash(reply, '/import', "thrivecart.apiKey is not set: the import reads ThriveCart's API.");
    let window: HistoryWindow;
    try {
      window = parseHistoryWindow(request.body.since || undefined, request.body.until || undefined);
    } catch (error) {
      if (!(error instanceof WindowError)) throw error;
      return redirectWithFlash(reply, '/import', error.message.replace(/--(since|until)/g, '"$1"'));
    }
    await queueImport(ctx, false, window);
    ctx.log.info({ actor: sessionOf(request).actor, window }, 'import plan queued from the console');
    return redirectWithFlash(
      reply,
      '/import',
      `Planning an import of ${describeWindow(window)}: nothing changes until you apply it.`,
    );
  });

  server.post<{ Body: { confirm?: string } }>('/import/apply', async (request, reply) => {
    const run = await latestImportRun(ctx.pool);
    if (
      ctx.config.thrivecart.apiKey === undefined ||
      run === null ||
      run.source !== 'api' ||
      run.appliedAt !== null ||
      run.plan === null
    )
      return redirectWithFlash(reply, '/import', 'There is no plan to apply: plan an import first.');
    if (request.body.confirm !== 'yes')
      return redirectWithFlash(reply, '/import', 'Tick "I have read the plan" to apply it.');
    await queueImport(ctx, true, { since: run.windowSince, until: run.windowUntil });
    ctx.log.info({ actor: sessionOf(request).actor, importId: run.id }, 'import apply queued from the console');
    return redirectWithFlash(reply, '/import', 'Applying the plan, quietly.');
  });
}

function startForm(csrfToken: string, busy: boolean): SafeHtml {
  return html`<form method="post" action="/import/plan" class="row form-gap">${csrfField(csrfToken)}
<label>From <input type="date" name="since"></label> <label>to <input type="date" name="until"></label>
<button type="submit"${busy ? html` disabled` : ''}>Plan an import</button></form>
<p class="small muted">Leave the dates empty for the whole history. ThriveCart allows 60 requests a minute: a few thousand buyers take a while.</p>`;
}

function applyForm(csrfToken: string): SafeHtml {
  return html`<form method="post" action="/import/apply" class="row form-gap">${csrfField(csrfToken)}
<label><input type="checkbox" name="confirm" value="yes" required> I have read the plan</label>
<button type="submit">Apply this plan</button></form>`;
}

function progressLine(counts: { transactions: number; customers: number }, run: ImportRun | null): SafeHtml {
  return html`Fetched ${counts.transactions} transactions (${run?.pagesFetched ?? 0} pages${run?.transactionsComplete ? ', all' : ', more to come'}) and asked about ${counts.customers} buyers.`;
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
