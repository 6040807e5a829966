import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { judgeCrmConnection, type CrmConnectionVerdict } from '../../../app/health/crm-connection-state.ts';
import { loadIntakeHealth } from '../../../app/health/intake-health.ts';
import { listDeadJobs, retryDeadJobs, type DeadJob } from '../../../adapters/store/crm-dead-letters.ts';
import { crmHealth } from '../../../adapters/store/crm-sync-status.ts';
import { listDeliveryProblems } from '../../../app/thrivecart/delivery-problems.ts';
import { flashOf, redirectWithFlash, sessionOf } from '../console-plugin.ts';
import { html, type SafeHtml } from '../html.ts';
import { badge, csrfField, sendPage } from '../layout.ts';
import { consoleTimes, type ConsoleTimes } from '../views/times.ts';
import { problemAndFix, refusalsPanel } from './health-panels.ts';
import { deliveryProblemsPanels } from './delivery-problems-panels.ts';
import { bodyRow, headRow, type Column } from '../table.ts';
import { queueReconcileFix } from '../../../app/thrivecart/scheduled-reconcile.ts';

export function registerProblemsPage(server: FastifyInstance, ctx: AppContext): void {
  server.get('/problems', async (request, reply) => {
    const session = sessionOf(request);
    const times = consoleTimes(ctx);
    const [dead, health, intake, deliveries] = await Promise.all([
      listDeadJobs(ctx.pool, 200),
      crmHealth(ctx.pool),
      loadIntakeHealth(ctx, ctx.clock.now()),
      listDeliveryProblems(ctx),
    ]);
    const body = html`<h1>Problems</h1>
<h2>Refused ThriveCart calls</h2>
${refusalsPanel(intake, times)}
<h2>CRM connections</h2>
<div class="panel">${crmConnectionsSection(health.map(judgeCrmConnection), ctx.config.crm.length)}</div>
<h2>Jobs that gave up</h2>
<div class="panel">${deadJobsSection(dead, session.csrfToken, times)}</div>
${deliveryProblemsPanels(deliveries, times, session.csrfToken)}`;
    return sendPage(
      reply,
      { title: 'Problems', section: '/problems', csrfToken: session.csrfToken, flash: flashOf(request, reply) },
      body,
    );
  });

  server.post<{ Params: { id: string } }>('/problems/jobs/:id/retry', async (request, reply) => {
    const moved = await retryDeadJobs(ctx.pool, Number(request.params.id) || 0, ctx.clock.now());
    ctx.log.info({ actor: sessionOf(request).actor, jobs: moved }, 'dead jobs retried');
    return redirectWithFlash(
      reply,
      '/problems',
      moved.length > 0
        ? `Job ${request.params.id} is queued again.`
        : `Job ${request.params.id} was already handled by a newer job.`,
    );
  });

  server.post('/problems/reconcile-fix', async (request, reply) => {
    if (ctx.config.thrivecart.apiKey === undefined)
      return redirectWithFlash(reply, '/problems', "thrivecart.apiKey is not set: reconcile reads ThriveCart's API.");
    await queueReconcileFix(ctx);
    ctx.log.info({ actor: sessionOf(request).actor }, 'reconcile with ThriveCart (fix) queued');
    return redirectWithFlash(
      reply,
      '/problems',
      'Reconciling with ThriveCart and applying what it says, in the background; this page shows the result once done.',
    );
  });

  server.post('/problems/retry-all', async (request, reply) => {
    const moved = await retryDeadJobs(ctx.pool, 'all', ctx.clock.now());
    ctx.log.info({ actor: sessionOf(request).actor, jobs: moved }, 'dead jobs retried');
    return redirectWithFlash(reply, '/problems', `${moved.length} job(s) queued again.`);
  });
}

/** "Working" is said only when every connection's recent syncs say so. */
function crmConnectionsSection(verdicts: CrmConnectionVerdict[], configured: number): SafeHtml {
  if (configured === 0) return html`<p class="muted">No CRM is configured.</p>`;
  const troubled = verdicts.filter((verdict) => verdict.tone === 'bad' || verdict.tone === 'warn');
  if (troubled.length === 0)
    return html`<p class="muted">Every CRM connection is working: no sync is failing, paused or being retried.</p>`;
  const rows = troubled.map((verdict) =>
    bodyRow(CONNECTION_COLUMNS, [
      html`${verdict.connector} ${badge(verdict.label, verdict.tone)}`,
      problemAndFix(verdict),
    ]),
  );
  return html`<table><thead>${headRow(CONNECTION_COLUMNS)}</thead><tbody>${rows}</tbody></table>`;
}

const CONNECTION_COLUMNS: Column[] = [{ label: 'Connection' }, { label: 'What is wrong and what to do' }];

/** The last column holds the Retry button: no heading. */
const DEAD_JOB_COLUMNS: Column[] = [
  { label: 'Job' },
  { label: 'Gave up', className: 'small' },
  { label: 'Cause', className: 'small' },
  { label: '' },
];

function deadJobsSection(dead: DeadJob[], csrfToken: string, times: ConsoleTimes): SafeHtml {
  if (dead.length === 0) return html`<p class="muted">Nothing is dead-lettered.</p>`;
  const retryAll = html`<form method="post" action="/problems/retry-all" class="row form-gap">${csrfField(csrfToken)}
<button type="submit" class="secondary">Retry all</button></form>`;
  const rows = dead.map((job) => deadJobRow(job, csrfToken, times));
  return html`${retryAll}<table><thead>${headRow(DEAD_JOB_COLUMNS)}</thead><tbody>${rows}</tbody></table>`;
}

function deadJobRow(job: DeadJob, csrfToken: string, times: ConsoleTimes): SafeHtml {
  const gaveUp = html`${times.cell(job.diedAt)} after ${job.attempts} attempt(s)`;
  const retry = html`<form method="post" action="/problems/jobs/${job.id}/retry" class="inline">${csrfField(csrfToken)}
<button type="submit">Retry</button></form>`;
  const kind = html`${job.kind} <span class="small muted">#${job.id}</span>`;
  return bodyRow(DEAD_JOB_COLUMNS, [kind, gaveUp, job.lastError, retry]);
}
