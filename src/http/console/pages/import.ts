import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { importFromCsv, type ImportPlan } from '../../../app/thrivecart/import-history.ts';
import { importInProgress, queueImport } from '../../../app/thrivecart/import-job.ts';
import {
  describeWindow,
  parseHistoryWindow,
  WindowError,
  type HistoryWindow,
} from '../../../app/thrivecart/history-window.ts';
import { CSV_COLUMNS, CsvError } from '../../../adapters/sources/thrivecart/csv-history.ts';
import { importRowCounts, latestImportRun, type ImportRun } from '../../../adapters/store/thrivecart-imports.ts';
import { flashOf, redirectWithFlash, sessionOf } from '../console-plugin.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField, sendPage } from '../layout.ts';
import { consoleTimes, type ConsoleTimes } from '../views/times.ts';

/** How often the page reloads itself while an import runs, in seconds (the `Refresh` header). */
const PROGRESS_REFRESH_SECONDS = 3;

type RunningImport = NonNullable<Awaited<ReturnType<typeof importInProgress>>>;
type FetchCounts = Awaited<ReturnType<typeof importRowCounts>>;

/** What the page shows, decided before any of it is rendered. */
interface ImportView {
  csrfToken: string;
  apiReady: boolean;
  running: RunningImport | null;
  run: ImportRun | null;
  counts: FetchCounts | null;
  /** The latest import can be applied from here: planned, not applied, nothing running. */
  applicable: boolean;
  times: ConsoleTimes;
}

/**
 * The Import page: start an import of ThriveCart history from its API, or plan one from a CSV
 * file (uploaded or pasted); read the plan, apply it once confirmed, and follow its progress (the
 * page reloads itself while it runs).
 */
export function registerImportPage(server: FastifyInstance, ctx: AppContext): void {
  server.get('/import', async (request, reply) => {
    const session = sessionOf(request);
    const [run, running] = await Promise.all([latestImportRun(ctx.pool), importInProgress(ctx.pool)]);
    const apiReady = ctx.config.thrivecart.apiKey !== undefined;
    const view: ImportView = {
      csrfToken: session.csrfToken,
      apiReady,
      running,
      run,
      counts: run ? await importRowCounts(ctx.pool, run.id) : null,
      applicable: run !== null && running === null && canApply(run, apiReady),
      times: consoleTimes(ctx),
    };
    if (running !== null) void reply.header('refresh', String(PROGRESS_REFRESH_SECONDS));
    const options = { title: 'Import', section: '/import', csrfToken: session.csrfToken };
    return sendPage(reply, { ...options, flash: flashOf(request, reply) }, importPage(view));
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
    await queueImport(ctx, { source: 'api' }, false, window);
    ctx.log.info({ actor: sessionOf(request).actor, window }, 'import plan queued from the console');
    return redirectWithFlash(
      reply,
      '/import',
      `Planning an import of ${describeWindow(window)}: nothing changes until you apply it.`,
    );
  });

  // A multipart form (the file) or a pasted text; planned here, at once: reading a file asks no one.
  server.post<{ Body: { file?: string; text?: string } | undefined }>('/import/csv', async (request, reply) => {
    const text = request.body?.file?.trim() ? request.body.file : (request.body?.text ?? '');
    if (text.trim() === '') return redirectWithFlash(reply, '/import', 'Choose a CSV file or paste its rows.', 'bad');
    if ((await importInProgress(ctx.pool)) !== null)
      return redirectWithFlash(reply, '/import', 'An import is running: plan the file once it is done.', 'bad');
    let plan: ImportPlan;
    try {
      plan = await importFromCsv(ctx, text, { apply: false });
    } catch (error) {
      if (!(error instanceof CsvError)) throw error;
      return redirectWithFlash(
        reply,
        '/import',
        `The file was not read, and nothing was kept: ${error.message}`,
        'bad',
      );
    }
    ctx.log.info({ actor: sessionOf(request).actor, people: plan.people }, 'CSV import planned from the console');
    const skipped = plan.notImported.length === 0 ? '' : ` ${plan.notImported.length} row(s) cannot be imported.`;
    return redirectWithFlash(
      reply,
      '/import',
      `Planned the file: ${plan.people} people.${skipped} Nothing changes until you apply it.`,
    );
  });

  server.post<{ Body: { confirm?: string; importId?: string } }>('/import/apply', async (request, reply) => {
    const run = await latestImportRun(ctx.pool);
    const apiReady = ctx.config.thrivecart.apiKey !== undefined;
    // The plan applied is the plan read: another one planned since (a new file, other dates) is not applied.
    if (run === null || !canApply(run, apiReady) || request.body.importId !== String(run.id))
      return redirectWithFlash(reply, '/import', 'There is no plan to apply, or it changed: read the plan below.');
    if (request.body.confirm !== 'yes')
      return redirectWithFlash(reply, '/import', 'Tick "I have read the plan" to apply it.');
    await queueImport(ctx, { source: run.source, importId: run.id }, true, {
      since: run.windowSince,
      until: run.windowUntil,
    });
    ctx.log.info({ actor: sessionOf(request).actor, importId: run.id }, 'import apply queued from the console');
    return redirectWithFlash(reply, '/import', 'Applying the plan, quietly.');
  });
}

/** Planned and not applied; an import from the API needs the API key to run again. */
function canApply(run: ImportRun, apiReady: boolean): boolean {
  return run.appliedAt === null && run.plan !== null && (run.source === 'csv' || apiReady);
}

function importPage(view: ImportView): SafeHtml {
  return html`<h1>Import</h1>
<div class="panel"><p>Bring in the members who bought before Handoff. The plan changes nothing; applying it
imports, quietly (no e-mails, no "new member" webhooks). From a terminal: <code>npx handoff thrivecart import</code>,
<code>--apply</code>; without API access, <code>--csv members.csv</code>.</p></div>
<h2>From ThriveCart's API</h2>
<div class="panel">${view.apiReady ? apiForm(view.csrfToken, view.running !== null) : apiMissing()}</div>
<h2>From a CSV file</h2>
<div class="panel">${csvForm(view.csrfToken, view.running !== null)}</div>
${view.running === null ? '' : progressPanel(view.running, view.run, view.counts)}
${view.run === null || view.counts === null ? noImportYet() : latestImport(view, view.run, view.counts)}`;
}

function apiMissing(): SafeHtml {
  return html`<p class="muted">Add <code>thrivecart.apiKey</code> to the configuration to import from
ThriveCart's API here, or import a CSV file below.</p>`;
}

function apiForm(csrfToken: string, busy: boolean): SafeHtml {
  return html`<form method="post" action="/import/plan" class="row form-gap">${csrfField(csrfToken)}
<label>From <input type="date" name="since"></label> <label>to <input type="date" name="until"></label>
<button type="submit"${busy ? html` disabled` : ''}>Plan an import</button></form>
<p class="small muted">Leave the dates empty for the whole history. ThriveCart allows 60 requests a minute:
a few thousand buyers take a while.</p>`;
}

function csvForm(csrfToken: string, busy: boolean): SafeHtml {
  return html`<form method="post" action="/import/csv" enctype="multipart/form-data" class="stack form-gap">
${csrfField(csrfToken)}
<p class="small">One row per person and item, with a header row: <code>${CSV_COLUMNS.join(',')}</code>.
<code>status</code> is one of paid, active, cancelled, refunded, paused, completed; <code>paid_through</code>
(YYYY-MM-DD) is required for an active subscription.</p>
<label for="import-file">Choose the CSV file</label>
<input id="import-file" name="file" type="file" accept=".csv,text/csv,text/plain">
<label for="import-text">or paste its rows</label>
<textarea id="import-text" name="text" rows="5"></textarea>
<div><button type="submit"${busy ? html` disabled` : ''}>Plan this file</button></div></form>`;
}

function progressPanel(running: RunningImport, run: ImportRun | null, counts: FetchCounts | null): SafeHtml {
  const what = running.apply ? 'Applying the plan' : 'Planning';
  const state = running.state === 'running' ? 'in progress' : 'waiting for its turn';
  return html`<div class="panel" data-import-progress><p><strong>${what}: ${state}.</strong>
${progressLine(running, run, counts)} This page refreshes itself.</p></div>`;
}

/** How far it got: people applied while applying, else what the fetch from the API got. */
function progressLine(running: RunningImport, run: ImportRun | null, counts: FetchCounts | null): SafeHtml | '' {
  if (run === null) return '';
  if (running.apply && run.applyTotal !== null) return html`Applied ${run.applyDone} of ${run.applyTotal} people.`;
  return run.source === 'api' && counts !== null ? fetchLine(counts, run) : '';
}

function fetchLine(counts: FetchCounts, run: ImportRun): SafeHtml {
  const pages = `${run.pagesFetched} pages${run.transactionsComplete ? ', all' : ', more to come'}`;
  return html`Fetched ${counts.transactions} transactions (${pages}) and asked about ${counts.customers} buyers.`;
}

function noImportYet(): SafeHtml {
  return html`<div class="panel"><p class="muted">No import yet.</p></div>`;
}

function latestImport(view: ImportView, run: ImportRun, counts: FetchCounts): SafeHtml {
  const origin = run.source === 'api' ? 'From the ThriveCart API' : 'From a CSV file';
  const state =
    run.appliedAt === null
      ? html`Not applied yet (last step ${view.times.cell(run.updatedAt)}).`
      : html`Applied ${view.times.cell(run.appliedAt)}.`;
  return html`<h2>${origin}, started ${view.times.cell(run.startedAt)}</h2>
<div class="panel"><p>${state} ${run.source === 'api' ? fetchLine(counts, run) : ''}</p>
${run.plan ? planTable(run.plan as ImportPlan) : html`<p class="muted">No plan yet: the fetch has not finished.</p>`}
${run.plan ? notImportedSection(run.plan as ImportPlan) : ''}
${view.applicable ? applyForm(view.csrfToken, run.id) : ''}</div>`;
}

function applyForm(csrfToken: string, importId: number): SafeHtml {
  return html`<form method="post" action="/import/apply" class="row form-gap">${csrfField(csrfToken)}
<input type="hidden" name="importId" value="${String(importId)}">
<label><input type="checkbox" name="confirm" value="yes" required> I have read the plan</label>
<button type="submit">Apply this plan</button></form>`;
}

function offeringCounts(record: Record<string, number>): string {
  const entries = Object.entries(record).map(([offering, people]) => `${offering}: ${people}`);
  return entries.join(', ') || 'none';
}

function unknownItems(plan: ImportPlan): string {
  const items = plan.unknownItems.map((item) => `${item.item} "${item.name}" (${item.people} people)`);
  return items.join('; ') || 'none';
}

function planTable(plan: ImportPlan): SafeHtml {
  const people = `${plan.people} (${plan.events} new events, ${plan.alreadyKnown} already known)`;
  return html`<table><tbody>
<tr><th>People</th><td>${people}</td></tr>
<tr><th>Access granted</th><td>${offeringCounts(plan.offeringsGranted)}</td></tr>
<tr><th>Access revoked</th><td>${offeringCounts(plan.offeringsRevoked)}</td></tr>
<tr><th>Items not configured</th><td>${unknownItems(plan)}</td></tr>
<tr><th>Not imported</th><td>${plan.notImported.length === 0 ? 'none' : String(plan.notImported.length)}</td></tr>
</tbody></table>`;
}

/** The rows (or transactions) left out, each with why: for a CSV, its line, column and what is wrong. */
function notImportedSection(plan: ImportPlan): SafeHtml | '' {
  if (plan.notImported.length === 0) return '';
  const rows = plan.notImported.map(
    (skipped) => html`<tr><td>${skipped.email}</td><td>${skipped.item}</td><td>${skipped.orderId}</td>
<td>${skipped.reason}</td></tr>`,
  );
  return html`<h3>Not imported</h3><table data-not-imported>
<thead><tr><th>E-mail</th><th>Item</th><th>Order</th><th>Why</th></tr></thead><tbody>${rows}</tbody></table>`;
}
