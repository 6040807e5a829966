/** Panels that Overview and Problems share: refused ThriveCart calls and CRM connections. */
import type { CrmConnectionVerdict } from '../../../app/health/crm-connection-state.ts';
import type { IntakeHealth } from '../../../app/health/intake-health.ts';
import type { RefusalAdvice } from '../../../app/health/refusal-advice.ts';
import { html, type SafeHtml } from '../html.ts';
import { badge, when } from '../layout.ts';

export function refusalsPanel(health: IntakeHealth): SafeHtml {
  if (health.refusals.length === 0 && health.testMode === null) {
    return html`<div class="panel"><p class="muted">No ThriveCart call was refused this week.</p></div>`;
  }
  return html`<div class="panel refusals"><table><tbody>${health.refusals.map(refusalRow)}${health.testMode ? adviceRow(badge('test mode', 'warn'), health.testMode) : ''}</tbody></table></div>`;
}

function refusalRow(refusal: RefusalAdvice): SafeHtml {
  return adviceRow(
    html`${refusal.resolved ? badge('fixed since', 'warn') : badge('refused', 'bad')}<div class="small muted">last ${when(refusal.lastAt)}</div>`,
    refusal,
  );
}

function adviceRow(label: SafeHtml, advice: { what: string; fix: string }): SafeHtml {
  return html`<tr><td>${label}</td><td>${advice.what}<div class="small"><strong>Fix:</strong> ${advice.fix}</div></td></tr>`;
}

/** One row per CRM connection, its state judged from what its syncs did. */
export function crmConnectionsTable(verdicts: readonly CrmConnectionVerdict[]): SafeHtml {
  return html`<table><thead><tr><th>CRM</th><th>State</th><th>Waiting</th><th>Gave up</th><th>Last sync</th></tr></thead><tbody>${verdicts.map(crmConnectionRow)}</tbody></table>`;
}

function crmConnectionRow(verdict: CrmConnectionVerdict): SafeHtml {
  const { health } = verdict;
  return html`<tr><td>${verdict.connector}</td><td>${badge(verdict.label, verdict.tone)}${problemAndFix(verdict)}</td><td>${health.pending}</td><td>${health.dead > 0 ? html`<a href="/problems">${health.dead}</a>` : '0'}</td><td class="small">${health.lastSyncedAt === null ? 'never' : when(health.lastSyncedAt)}</td></tr>`;
}

export function problemAndFix(verdict: CrmConnectionVerdict): SafeHtml | string {
  if (verdict.problem === null) return '';
  return html`<div class="small">${verdict.problem}</div>${verdict.fix ? html`<div class="small muted">${verdict.fix}</div>` : ''}`;
}
