import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { judgeCrmConnection, type CrmConnectionVerdict } from '../../../app/health/crm-connection-state.ts';
import { loadIntakeHealth, type IntakeHealth } from '../../../app/health/intake-health.ts';
import {
  dailyActivity,
  deliveryCounts,
  openDunningCount,
  type DailyActivity,
  type DeliveryCounts,
} from '../../../adapters/store/console-stats.ts';
import { listDeliveries, type DeliveryRecord } from '../../../adapters/store/deliveries.ts';
import { crmHealth } from '../../../adapters/store/crm-sync-status.ts';
import type { ChecklistItem } from '../../../app/health/go-live-checklist.ts';
import { sessionOf, type ConsoleOptions } from '../console-plugin.ts';
import { html, raw, type SafeHtml } from '../html.ts';
import { badge, sendPage } from '../layout.ts';
import type { Tone } from '../views/tone.ts';
import { eventLabel } from '../views/delivery-view.ts';
import { chartSummary } from '../views/overview-view.ts';
import { consoleTimes, type ConsoleTimes } from '../views/times.ts';
import { statusBadge } from './deliveries.ts';
import { firstStep, firstStepBanner } from './first-step-banner.ts';
import { bodyRow, headRow, type Column } from '../table.ts';
import { crmConnectionsTable, refusalsPanel } from './health-panels.ts';

const SERIES = [
  { key: 'purchases', label: 'Purchases', color: '#3451b2' },
  { key: 'refunds', label: 'Refunds', color: '#b42318' },
  { key: 'recovered', label: 'Recovered payments', color: '#17794a' },
] as const;

interface OverviewData {
  counts: DeliveryCounts;
  activity: DailyActivity[];
  openCases: number;
  needingAttention: DeliveryRecord[];
  crm: CrmConnectionVerdict[];
  intake: IntakeHealth;
  times: ConsoleTimes;
  firstStep: ChecklistItem | null;
}

export function registerOverviewPage(server: FastifyInstance, ctx: AppContext, options: ConsoleOptions): void {
  server.get('/', async (request, reply) => {
    const data = await loadOverview(ctx, consoleTimes(ctx), options.publicUrl);
    return sendPage(
      reply,
      { title: 'Overview', section: '/', csrfToken: sessionOf(request).csrfToken },
      overviewBody(data),
    );
  });
}

async function loadOverview(ctx: AppContext, times: ConsoleTimes, publicUrl: string): Promise<OverviewData> {
  const now = times.now;
  const [counts, activity, openCases, problems, crm, intake, step] = await Promise.all([
    deliveryCounts(ctx.pool, now, times.zone),
    dailyActivity(ctx.pool, now, 30, times.zone),
    openDunningCount(ctx.pool),
    Promise.all(
      (['failed', 'ignored', 'rejected'] as const).map((status) => listDeliveries(ctx.pool, { status, limit: 5 })),
    ),
    crmHealth(ctx.pool),
    loadIntakeHealth(ctx, now),
    firstStep(ctx, publicUrl),
  ]);
  return {
    counts,
    activity,
    openCases,
    needingAttention: problems
      .flat()
      .sort((a, b) => b.id - a.id)
      .slice(0, 8),
    crm: crm.map(judgeCrmConnection),
    intake,
    times,
    firstStep: step,
  };
}

function overviewBody(data: OverviewData): SafeHtml {
  const intakeNeedsAttention = data.intake.refusals.length > 0 || data.intake.testMode !== null;
  return html`<h1>Overview</h1>
${firstStepBanner(data.firstStep)}
${cards(data)}
${intakeNeedsAttention ? html`<h2>ThriveCart calls that changed nothing</h2>${refusalsPanel(data.intake, data.times)}` : ''}
${data.crm.length === 0 ? '' : html`<h2>CRM sync</h2><div class="panel">${crmConnectionsTable(data.crm, data.times)}</div>`}
<h2>Last 30 days</h2>
<div class="panel">${chart(data.activity)}</div>
<h2>Deliveries needing a look</h2>
<div class="panel">${needingAttentionTable(data.needingAttention, data.times)}</div>`;
}

function cards({ counts, openCases, intake }: OverviewData): SafeHtml {
  return html`<div class="cards">
  ${card(counts.today, 'deliveries today')}
  ${card(counts.thisWeek, 'deliveries this week')}
  ${intake.refusedCount > 0 ? card(intake.refusedCount, 'refused this week', 'bad', '/problems') : ''}
  ${card(counts.failed, 'failed deliveries', counts.failed > 0 ? 'bad' : 'ok', '/deliveries?status=failed')}
  ${card(counts.ignoredThisWeek, 'ignored this week', 'plain', '/deliveries?status=ignored')}
  ${card(openCases, 'open dunning cases', openCases > 0 ? 'warn' : 'ok', '/dunning')}
</div>`;
}

function card(value: number, label: string, tone: Tone = 'plain', href?: string): SafeHtml {
  const verdict = tone === 'plain' ? '' : badge(tone === 'ok' ? 'ok' : 'look', tone);
  const inner = html`<div class="value">${value}</div><div class="label">${label} ${verdict}</div>`;
  return href ? html`<a class="card" href="${href}">${inner}</a>` : html`<div class="card">${inner}</div>`;
}

function needingAttentionTable(deliveries: DeliveryRecord[], times: ConsoleTimes): SafeHtml {
  if (deliveries.length === 0) return html`<p class="muted">Nothing failed, ignored or rejected recently.</p>`;
  const rows = deliveries.map((delivery) => attentionRow(delivery, times));
  return html`<table><thead>${headRow(ATTENTION_COLUMNS)}</thead><tbody>${rows}</tbody></table>`;
}

const ATTENTION_COLUMNS: Column[] = [
  { label: 'When', className: 'small' },
  { label: 'Event' },
  { label: 'Outcome and why' },
];

function attentionRow(delivery: DeliveryRecord, times: ConsoleTimes): SafeHtml {
  const why = delivery.reason ? html`<div class="small">${delivery.reason}</div>` : '';
  return bodyRow(ATTENTION_COLUMNS, [
    html`<a href="/deliveries/${delivery.id}">${times.cell(delivery.receivedAt)}</a>`,
    eventLabel(delivery.eventName, delivery.event),
    html`${statusBadge(delivery.status)}${why}`,
  ]);
}

const CHART_WIDTH = 600;
const CHART_HEIGHT = 120;

/** Grouped bars per day, as inline SVG: no script, readable on a phone, dated under the axis. */
function chart(days: DailyActivity[]): SafeHtml {
  const summary = chartSummary(days, SERIES);
  if (summary.empty) return html`<p class="muted">${summary.emptyText}</p>`;
  const max = Math.max(1, ...days.flatMap((day) => SERIES.map((series) => day[series.key])));
  const slot = CHART_WIDTH / days.length;
  const bar = Math.max(1, (slot - 2) / SERIES.length);
  const bars = days
    .flatMap((day, index) =>
      SERIES.map((series, seriesIndex) => chartBar(day, series, index * slot + 1 + seriesIndex * bar, bar, max)),
    )
    .join('');
  const viewBox = `0 0 ${CHART_WIDTH} ${CHART_HEIGHT}`;
  return html`<svg class="chart" viewBox="${viewBox}" preserveAspectRatio="none" role="img" aria-label="${summary.text}">${raw(bars)}</svg>
${chartDates(days)}
<div class="legend small">${summary.totals.map(({ series, total }) => legendEntry(series, total))}</div>`;
}

function legendEntry(series: (typeof SERIES)[number], total: number): SafeHtml {
  const swatch = html`<svg class="swatch" viewBox="0 0 10 10" aria-hidden="true"><rect width="10" height="10" fill="${series.color}"/></svg>`;
  return html`<span>${swatch}${series.label}: ${total}</span>`;
}

function chartBar(day: DailyActivity, series: (typeof SERIES)[number], x: number, width: number, max: number): string {
  const value = day[series.key];
  const barHeight = (value / max) * (CHART_HEIGHT - 10);
  const box = `x="${x.toFixed(1)}" y="${(CHART_HEIGHT - barHeight).toFixed(1)}" width="${width.toFixed(1)}" height="${barHeight.toFixed(1)}"`;
  return `<rect ${box} fill="${series.color}"><title>${dayLabel(day.day)}: ${value} ${series.label.toLowerCase()}</title></rect>`;
}

/** A date under the chart every week, placed under its bars, so a bar can be placed in time. */
function chartDates(days: DailyActivity[]): SafeHtml {
  const ticks = days.map((day, index) => ({ day, index })).filter(({ index }) => (days.length - 1 - index) % 7 === 0);
  return html`<div class="chart-dates small muted" aria-hidden="true">${ticks.map(({ day, index }) => {
    // The last date ends at the right edge rather than past it.
    if (index === days.length - 1) return html`<span class="last">${dayLabel(day.day)}</span>`;
    const left = ((index + 0.5) / days.length) * 100;
    return html`<span style="left:${left.toFixed(1)}%">${dayLabel(day.day)}</span>`;
  })}</div>`;
}

/** `2026-12-02` → `2 Dec`: the day is already the creator's calendar day. */
function dayLabel(day: string): string {
  return new Date(`${day}T00:00:00Z`).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', timeZone: 'UTC' });
}
