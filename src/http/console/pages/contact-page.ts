import type { ContactView, TimelineView } from '../../../app/contacts/contact-views.ts';
import type { ContactSummary } from '../../../adapters/store/contacts.ts';
import type { StoredDunningCase } from '../../../adapters/store/dunning-cases.ts';
import { ACCESSALLY_NOTIFY_JOB } from '../../../app/crm/notify-accessally.ts';
import { crmSyncJobKind } from '../../../app/crm/crm-connections.ts';
import { html, type SafeHtml } from '../html.ts';
import { badge, csrfField } from '../layout.ts';
import {
  accessAllyCallState,
  accessAllyUserState,
  crmSyncState,
  groupTagsByReason,
  type SyncState,
  type TagGroup,
} from '../views/contact-view.ts';
import { caseOutcome } from '../views/dunning-view.ts';
import type { ConsoleTimes } from '../views/times.ts';
import type { ContactPageData } from './contact-page-data.ts';
import { bodyRow, headRow, type Column } from '../table.ts';
import { contactTeamsSection } from './team-panels.ts';

export const CONTACTS_PAGE_SIZE = 50;

export function contactListBody(
  query: string,
  pageNumber: number,
  contacts: ContactSummary[],
  times: ConsoleTimes,
): SafeHtml {
  const empty = contacts.length === 0 ? html`<p class="muted">No contact matches.</p>` : '';
  const rows = contacts.slice(0, CONTACTS_PAGE_SIZE).map((contact) => contactListRow(contact, times));
  return html`<h1>Contacts</h1>
<form method="get" action="/contacts" class="row"><input type="search" name="q" value="${query}" placeholder="email or name"
 aria-label="Search contacts" class="grow"><button type="submit">Search</button></form>
<div class="panel form-gap-top"><table><thead>${headRow(CONTACT_COLUMNS)}</thead>
<tbody>${rows}</tbody></table>${empty}</div>
${pager(query, pageNumber, contacts.length > CONTACTS_PAGE_SIZE)}`;
}

const CONTACT_COLUMNS: Column[] = [
  { label: 'Email' },
  { label: 'Name' },
  { label: 'Last change', className: 'hide-phone small' },
];

function contactListRow(contact: ContactSummary, times: ConsoleTimes): SafeHtml {
  const link = html`<a href="/contacts/${encodeURIComponent(contact.email)}">${contact.email}</a>`;
  return bodyRow(CONTACT_COLUMNS, [link, contact.name, times.cell(contact.updatedAt)]);
}

function pager(query: string, pageNumber: number, more: boolean): SafeHtml {
  const link = (to: number, label: string): SafeHtml =>
    html`<a href="/contacts?q=${encodeURIComponent(query)}&page=${to}">${label}</a>`;
  return html`<p class="pager row">${pageNumber > 1 ? link(pageNumber - 1, '← Newer') : ''} ${more ? link(pageNumber + 1, 'Older →') : ''}</p>`;
}

/** The contact page: who, their access and why, tags, dunning, where each system stands, history, actions. */
export function contactBody(data: ContactPageData, csrfToken: string): SafeHtml {
  const { view } = data;
  const path = `/contacts/${encodeURIComponent(view.email)}`;
  const customer = view.thrivecartCustomerId ? ` · ThriveCart customer ${view.thrivecartCustomerId}` : '';
  return html`<h1>${view.name ?? view.email}</h1>
<p class="muted">${view.email}${customer}</p>
${dunningSection(data.dunningCases, data.times)}
<h2>Access</h2>
<div class="panel">${accessTable(view, data.times)}${handChangeForm(data, path, csrfToken)}</div>
${contactTeamsSection(data.teams, data.times)}
<h2>Tags</h2>
<div class="panel">${tagsTable(groupTagsByReason(view.tags), data.times)}</div>
${crmSection(data, path, csrfToken)}
${accessAllySection(data, path, csrfToken)}
<h2>History</h2>
<div class="panel">${timelineTable(data.timeline, data.times)}</div>
<h2>Actions</h2>
<div class="panel">${actions(path, csrfToken)}</div>`;
}

function accessTable(view: ContactView, times: ConsoleTimes): SafeHtml {
  if (view.access.length === 0) return html`<p class="muted">No offering yet.</p>`;
  const rows = view.access.map((entry) => accessRow(entry, times));
  return html`<table class="access"><thead>${headRow(ACCESS_COLUMNS)}</thead><tbody>${rows}</tbody></table>`;
}

const ACCESS_COLUMNS: Column[] = [
  { label: 'Offering and why' },
  { label: 'Access' },
  { label: 'Until', className: 'small' },
];

function accessRow(entry: ContactView['access'][number], times: ConsoleTimes): SafeHtml {
  const state = entry.granted ? badge('granted', 'ok') : badge('no access', 'bad');
  const until = entry.until ? times.cell(entry.until) : entry.granted ? 'no end' : '';
  const offering = html`${entry.offeringName}<div class="small muted why">${entry.reason}</div>`;
  return bodyRow(ACCESS_COLUMNS, [offering, state, until]);
}

function handChangeForm({ ctx }: ContactPageData, path: string, csrfToken: string): SafeHtml {
  const offerings = [...ctx.rules.offerings.values()].map(
    (offering) => html`<option value="${offering.id}">${offering.name}</option>`,
  );
  return html`<form method="post" action="${path}/access" class="row form-gap-top">${csrfField(csrfToken)}
  <select name="offering" aria-label="Offering">${offerings}</select>
  <select name="action" aria-label="Action"><option value="grant">Grant</option><option value="revoke">Revoke</option></select>
  <input name="note" placeholder="why (kept in the history)" required aria-label="Why" class="grow">
  <button type="submit">Apply by hand</button>
</form>`;
}

function tagsTable(groups: TagGroup[], times: ConsoleTimes): SafeHtml {
  if (groups.length === 0) return html`<p class="muted">No tags.</p>`;
  const rows = groups.map((group) => tagRow(group, times));
  return html`<table class="tags"><thead>${headRow(TAG_COLUMNS)}</thead><tbody>${rows}</tbody></table>`;
}

const TAG_COLUMNS: Column[] = [
  { label: 'Tags' },
  { label: 'Why', className: 'small' },
  { label: 'Since', className: 'hide-phone small' },
];

function tagRow(group: TagGroup, times: ConsoleTimes): SafeHtml {
  const why = group.deliveryId ? html`<a href="/deliveries/${group.deliveryId}">${group.why}</a>` : group.why;
  const names = group.names.map((name) => html`<span class="badge">${name}</span> `);
  return bodyRow(TAG_COLUMNS, [names, why, times.cell(group.since)]);
}

function dunningSection(cases: StoredDunningCase[], times: ConsoleTimes): SafeHtml | string {
  if (cases.length === 0) return '';
  return html`<h2>Failed payments</h2><div class="panel"><ul class="cases">${cases.map((dunningCase) => caseItem(dunningCase, times))}</ul></div>`;
}

function caseItem(dunningCase: StoredDunningCase, times: ConsoleTimes): SafeHtml {
  const state =
    dunningCase.state === 'open'
      ? badge('payment failing', 'bad')
      : badge(caseOutcome(dunningCase.state).label, caseOutcome(dunningCase.state).tone);
  const link = html`<a href="/dunning#case-${dunningCase.id}">${dunningCase.productName}, order ${dunningCase.orderId}</a>`;
  const since = html`since ${times.cell(dunningCase.openedAt)}, ${dunningCase.failures} failure(s)`;
  return html`<li>${state} ${link} <span class="small muted">${since}</span></li>`;
}

function crmSection(data: ContactPageData, path: string, csrfToken: string): SafeHtml | string {
  const { ctx, view } = data;
  if (ctx.config.crm.length === 0) return '';
  const desired = view.tags.map((tag) => tag.name);
  const rows = ctx.config.crm.map((connection) => {
    const status = data.crm.find((entry) => entry.connector === connection.name);
    const jobs = data.jobs.filter((job) => job.kind === crmSyncJobKind(connection.name));
    const state = crmSyncState(status, desired, jobs);
    const last = status?.syncedAt ? data.times.cell(status.syncedAt) : html`<span class="muted">never</span>`;
    return bodyRow(CRM_COLUMNS, [connection.name, syncStateCell(state, path, csrfToken), last, status?.remoteId]);
  });
  const table = html`<table class="crm"><thead>${headRow(CRM_COLUMNS)}</thead><tbody>${rows}</tbody></table>`;
  return html`<h2>CRM sync</h2><div class="panel">${table}</div>`;
}

const CRM_COLUMNS: Column[] = [
  { label: 'CRM' },
  { label: 'State' },
  { label: 'Last sync', className: 'small' },
  { label: 'CRM id', className: 'hide-phone small mono' },
];

/** A state badge, what went wrong, and a Retry button when a job gave up. */
function syncStateCell(state: SyncState, path: string, csrfToken: string): SafeHtml {
  const detail = state.detail ? html`<div class="small">${state.detail}</div>` : '';
  const retry =
    state.retryJobId === null
      ? ''
      : html`<form method="post" action="${path}/jobs/${state.retryJobId}/retry" class="inline">${csrfField(csrfToken)}
<button type="submit" class="retry">Retry</button></form>`;
  return html`${badge(state.label, state.tone)}${detail}${retry}`;
}

function accessAllySection(data: ContactPageData, path: string, csrfToken: string): SafeHtml | string {
  if (data.accessAlly === null) return '';
  const user = accessAllyUserState(data.accessAlly);
  const call = accessAllyCallState(data.jobs.filter((job) => job.kind === ACCESSALLY_NOTIFY_JOB));
  const last = data.accessAlly.lastCall;
  const lastCall = last
    ? html`${last.call === 'create' ? 'create-user call' : 'update call'} answered ${data.times.cell(last.at)}`
    : html`<span class="muted">none yet</span>`;
  return html`<h2>AccessAlly</h2><div class="panel"><table class="accessally">
<tr><th>User</th><td>${badge(user.label, user.tone)}</td></tr>
<tr><th>Last call</th><td>${lastCall}${call ? html`<div>${syncStateCell(call, path, csrfToken)}</div>` : ''}</td></tr>
</table></div>`;
}

function timelineTable(timeline: TimelineView[], times: ConsoleTimes): SafeHtml {
  return html`<table class="timeline"><tbody>${timeline.map((entry) => timelineRow(entry, times))}</tbody></table>`;
}

function timelineRow(entry: TimelineView, times: ConsoleTimes): SafeHtml {
  const summary = entry.deliveryId
    ? html`<a href="/deliveries/${entry.deliveryId}">${entry.summary}</a>`
    : entry.summary;
  const tags = entry.tagChanges.map((change) => `${change.change === 'added' ? '+' : '−'} ${change.tag}`).join(' · ');
  return html`<tr><td class="small nowrap">${times.cell(entry.at)}</td><td>${summary}<div class="small muted">${tags}</div></td></tr>`;
}

function actions(path: string, csrfToken: string): SafeHtml {
  return html`<div class="row form-gap">
  <form method="post" action="${path}/resync" class="inline">${csrfField(csrfToken)}
  <button class="secondary" type="submit">Resync to CRMs</button></form>
  <a class="badge" href="${path}/export">Export (JSON)</a>
</div>
<form method="post" action="${path}/erase" class="row form-gap-top">${csrfField(csrfToken)}
  <input name="confirm" placeholder="type the email to erase" aria-label="Type the email to confirm erasure" required>
  <button class="danger" type="submit">Erase all personal data</button>
  <span class="small muted">GDPR erasure: removes this person from Handoff (stored deliveries included) and from the CRMs.
  Cannot be undone.</span>
</form>`;
}
