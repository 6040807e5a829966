import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { dailyActivity, deliveryCounts, openDunningCount, type DailyActivity } from '../../../adapters/store/console-stats.ts';
import { listDeliveries } from '../../../adapters/store/deliveries.ts';
import { crmHealth } from '../../../adapters/store/crm-sync-status.ts';
import { sessionOf } from '../console-plugin.ts';
import { html, raw, type SafeHtml } from '../html.ts';
import { badge, page, when } from '../layout.ts';
import { statusBadge } from './deliveries.ts';

const SERIES = [
  { key: 'purchases', label: 'Purchases', color: '#3451b2' },
  { key: 'refunds', label: 'Refunds', color: '#b42318' },
  { key: 'recovered', label: 'Recovered payments', color: '#17794a' },
] as const;

export function registerOverviewPage(server: FastifyInstance, ctx: AppContext): void {
  server.get('/', async (request, reply) => {
    const now = ctx.clock.now();
    const [counts, activity, openCases, problems, crm] = await Promise.all([
      deliveryCounts(ctx.pool, now),
      dailyActivity(ctx.pool, now, 30),
      openDunningCount(ctx.pool),
      Promise.all([listDeliveries(ctx.pool, { status: 'failed', limit: 5 }), listDeliveries(ctx.pool, { status: 'ignored', limit: 5 }), listDeliveries(ctx.pool, { status: 'rejected', limit: 5 })]),
      crmHealth(ctx.pool),
    ]);
    const needingAttention = problems.flat().sort((a, b) => b.id - a.id).slice(0, 8);
    const body = html`<h1>Overview</h1>
<div class="cards">
  ${card(counts.today, 'deliveries today')}
  ${card(counts.thisWeek, 'deliveries this week')}
  ${card(counts.failed, 'failed deliveries', counts.failed > 0 ? 'bad' : 'ok', '/deliveries?status=failed')}
  ${card(counts.ignoredThisWeek, 'ignored this week', 'plain', '/deliveries?status=ignored')}
  ${card(openCases, 'open dunning cases', openCases > 0 ? 'warn' : 'ok', '/dunning')}
</div>
${crm.length === 0 ? '' : html`<h2>CRM sync</h2>
<div class="panel"><table><thead><tr><th>CRM</th><th>State</th><th>Waiting</th><th>Gave up</th></tr></thead><tbody>${crm.map(
      (connection) => html`<tr><td>${connection.connector}</td><td>${connection.status === 'paused' ? html`${badge('paused', 'bad')} <span class="small">${connection.pausedReason}</span>` : badge('active', 'ok')}</td><td>${connection.pending}</td><td>${connection.dead > 0 ? html`<a href="/problems">${connection.dead}</a>` : '0'}</td></tr>`,
    )}</tbody></table></div>`}
<h2>Last 30 days</h2>
<div class="panel">${chart(activity)}</div>
<h2>Deliveries needing a look</h2>
<div class="panel">${
      needingAttention.length === 0
        ? html`<p class="muted">Nothing failed, ignored or rejected recently.</p>`
        : html`<table><thead><tr><th>When</th><th>Event</th><th>Outcome</th><th class="hide-phone">Why</th></tr></thead><tbody>${needingAttention.map(
            (delivery) =>
              html`<tr><td><a href="/deliveries/${delivery.id}">${when(delivery.receivedAt)}</a></td><td>${delivery.eventName}</td><td>${statusBadge(delivery.status)}</td><td class="hide-phone small">${delivery.reason}</td></tr>`,
          )}</tbody></table>`
    }</div>`;
    return reply.type('text/html').send(page({ title: 'Overview', section: '/', csrfToken: sessionOf(request).csrfToken }, body).text);
  });
}

function card(value: number, label: string, tone: 'ok' | 'bad' | 'warn' | 'plain' = 'plain', href?: string): SafeHtml {
  const inner = html`<div class="value">${value}</div><div class="label">${label} ${tone === 'plain' ? '' : badge(tone === 'ok' ? 'ok' : 'look', tone)}</div>`;
  return href ? html`<a class="card" href="${href}" style="color:inherit">${inner}</a>` : html`<div class="card">${inner}</div>`;
}

/** Grouped bars per day, as inline SVG: no script, readable on a phone. */
function chart(days: DailyActivity[]): SafeHtml {
  const width = 600;
  const height = 120;
  const max = Math.max(1, ...days.flatMap((day) => SERIES.map((series) => day[series.key])));
  const slot = width / days.length;
  const bar = Math.max(1, (slot - 2) / SERIES.length);
  const bars = days
    .flatMap((day, index) =>
      SERIES.map((series, seriesIndex) => {
        const value = day[series.key];
        const barHeight = (value / max) * (height - 10);
        return `<rect x="${(index * slot + 1 + seriesIndex * bar).toFixed(1)}" y="${(height - barHeight).toFixed(1)}" width="${bar.toFixed(1)}" height="${barHeight.toFixed(1)}" fill="${series.color}"><title>${new Date(day.day).toISOString().slice(0, 10)}: ${value} ${series.label.toLowerCase()}</title></rect>`;
      }),
    )
    .join('');
  const totals = SERIES.map((series) => `${series.label}: ${days.reduce((sum, day) => sum + day[series.key], 0)}`).join(', ');
  return html`<svg class="chart" viewBox="0 0 ${width} ${height}" preserveAspectRatio="none" role="img" aria-label="${totals}">${raw(bars)}</svg>
<div class="legend small">${SERIES.map((series) => html`<span><i style="background:${series.color}"></i>${series.label}: ${days.reduce((sum, day) => sum + day[series.key], 0)}</span>`)}</div>`;
}
