/** Panels that Overview and Problems share: refused ThriveCart calls and CRM connections. */
import type { CrmConnectionVerdict } from '../../../app/health/crm-connection-state.ts';
import type { IntakeHealth } from '../../../app/health/intake-health.ts';
import type { RefusalAdvice } from '../../../app/health/refusal-advice.ts';
import { html, type SafeHtml } from '../html.ts';
import { badge } from '../layout.ts';
import { bodyRow, headRow, type Column } from '../table.ts';
import type { ConsoleTimes } from '../views/times.ts';

export function refusalsPanel(health: IntakeHealth, times: ConsoleTimes): SafeHtml {
  if (health.refusals.length === 0 && health.testMode === null) {
    return html`<div class="panel"><p class="muted">No ThriveCart call was refused this week.</p></div>`;
  }
  const testMode = health.testMode ? adviceRow(badge('test mode', 'warn'), health.testMode) : '';
  const rows = health.refusals.map((refusal) => refusalRow(refusal, times));
  return html`<div class="panel refusals"><table><tbody>${rows}${testMode}</tbody></table></div>`;
}

function refusalRow(refusal: RefusalAdvice, times: ConsoleTimes): SafeHtml {
  const state = refusal.resolved ? badge('fixed since', 'warn') : badge('refused', 'bad');
  return adviceRow(html`${state}<div class="small muted">last ${times.cell(refusal.lastAt)}</div>`, refusal);
}

function adviceRow(label: SafeHtml, advice: { what: string; fix: string }): SafeHtml {
  return html`<tr><td>${label}</td><td>${advice.what}<div class="small"><strong>Fix:</strong> ${advice.fix}</div></td></tr>`;
}

/** One row per CRM connection, its state judged from what its syncs did. */
export function crmConnectionsTable(verdicts: readonly CrmConnectionVerdict[], times: ConsoleTimes): SafeHtml {
  const rows = verdicts.map((verdict) => crmConnectionRow(verdict, times));
  return html`<table><thead>${headRow(CRM_COLUMNS)}</thead><tbody>${rows}</tbody></table>`;
}

const CRM_COLUMNS: Column[] = [
  { label: 'CRM' },
  { label: 'State' },
  { label: 'Waiting' },
  { label: 'Gave up' },
  { label: 'Last sync', className: 'small' },
];

function crmConnectionRow(verdict: CrmConnectionVerdict, times: ConsoleTimes): SafeHtml {
  const { health } = verdict;
  const dead = health.dead > 0 ? html`<a href="/problems">${health.dead}</a>` : '0';
  const last = health.lastSyncedAt === null ? 'never' : times.cell(health.lastSyncedAt);
  const state = html`${badge(verdict.label, verdict.tone)}${problemAndFix(verdict)}`;
  return bodyRow(CRM_COLUMNS, [verdict.connector, state, health.pending, dead, last]);
}

export function problemAndFix(verdict: CrmConnectionVerdict): SafeHtml | string {
  if (verdict.problem === null) return '';
  return html`<div class="small">${verdict.problem}</div>${verdict.fix ? html`<div class="small muted">${verdict.fix}</div>` : ''}`;
}
