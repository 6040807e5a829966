import type { MemberListOutcome } from '../../../app/teams/add-members-from-list.ts';
import type { teamsOfContact, TeamHistoryEntry, TeamPerson, TeamView } from '../../../app/teams/team-views.ts';
import { html, type SafeHtml } from '../html.ts';
import { badge, csrfField } from '../layout.ts';
import type { ConsoleTimes } from '../views/times.ts';

/** How one pool reads in a list: decided here, rendered by teamRow. */
interface TeamRowModel {
  href: string;
  label: string;
  leader: TeamPerson | null;
  item: string;
  orderId: string;
  seats: string;
  access: SafeHtml;
}

function teamRowModel(team: TeamView): TeamRowModel {
  return {
    href: teamPath(team.id),
    label: team.label,
    leader: team.leader,
    item: `${team.itemName} (${team.item})`,
    orderId: team.orderId,
    seats: `${team.seatsUsed} / ${team.seats}`,
    access: accessBadge(team),
  };
}

export function teamPath(id: number): string {
  return `/teams/${id}`;
}

export function accessBadge(team: TeamView): SafeHtml {
  return team.entitlement.active ? badge('access', 'ok') : badge('no access', 'bad');
}

export function teamsTable(teams: readonly TeamView[]): SafeHtml {
  if (teams.length === 0)
    return html`<p class="muted">No team yet: a purchase of an item with a <code>team:</code> section opens one.</p>`;
  return html`<table><thead><tr><th>Team</th><th>Leader</th><th class="hide-phone">Item</th>
<th class="hide-phone">Order</th><th>Seats used</th><th>Access</th></tr></thead>
<tbody>${teams.map((team) => teamRow(teamRowModel(team)))}</tbody></table>`;
}

function teamRow(row: TeamRowModel): SafeHtml {
  return html`<tr><td><a href="${row.href}">${row.label}</a></td><td>${personLink(row.leader)}</td>
<td class="hide-phone small">${row.item}</td><td class="hide-phone small">${row.orderId}</td>
<td>${row.seats}</td><td>${row.access}</td></tr>`;
}

export function personLink(person: TeamPerson | null): SafeHtml {
  if (!person) return html`<span class="muted">(erased)</span>`;
  return html`<a href="/contacts/${encodeURIComponent(person.email)}">${person.name ?? person.email}</a>`;
}

export function seatCards(team: TeamView): SafeHtml {
  return html`<div class="cards">
<div class="card"><div class="value">${team.seatsUsed} / ${team.seats}</div><div class="label">seats used</div></div>
<div class="card"><div class="value">${team.seatsFree}</div><div class="label">seats free</div></div>
<div class="card"><div class="value">${accessBadge(team)}</div><div class="label">${team.entitlement.reason}</div></div>
</div>`;
}

export function leaderPanel(team: TeamView, leaderUrl: string | null, csrfToken: string): SafeHtml {
  const path = teamPath(team.id);
  return html`<div class="panel"><p>Leader: ${personLink(team.leader)}</p>
${leaderUrl ? leaderLinkField(leaderUrl, path, csrfToken) : html`<p class="muted">No leader: move the role to someone below.</p>`}
<form method="post" action="${path}/leader" class="row form-gap">${csrfField(csrfToken)}
<input name="email" type="email" required placeholder="new leader's e-mail" aria-label="New leader's e-mail" class="grow">
<button class="secondary" type="submit">Move the leader role</button></form></div>`;
}

function leaderLinkField(url: string, path: string, csrfToken: string): SafeHtml {
  return html`<label for="leader-link" class="small muted">The leader's page (copy it to send it yourself)</label>
<input id="leader-link" class="mono" readonly value="${url}" style="width:100%">
<div class="row form-gap">
<form method="post" action="${path}/leader-link/send" class="inline">${csrfField(csrfToken)}
<button class="secondary" type="submit">E-mail it to the leader</button></form>
<form method="post" action="${path}/leader-link/reissue" class="inline">${csrfField(csrfToken)}
<button class="secondary" type="submit">Issue a new link (the old one stops working)</button></form></div>`;
}

export function membersPanel(team: TeamView, csrfToken: string, times: ConsoleTimes): SafeHtml {
  const path = teamPath(team.id);
  const rows = team.members.map((member) => memberRow(member, path, csrfToken, times));
  return html`<div class="panel">${
    team.members.length === 0
      ? html`<p class="muted">No member yet.</p>`
      : html`<table><thead><tr><th>Member</th><th class="hide-phone">Since</th><th></th></tr></thead>
<tbody>${rows}</tbody></table>`
  }
<form method="post" action="${path}/members" class="row form-gap">${csrfField(csrfToken)}
<input name="email" type="email" required placeholder="member's e-mail" aria-label="Member's e-mail" class="grow">
<button type="submit">Add</button></form>
<form method="post" action="${path}/members/list" enctype="multipart/form-data" class="stack form-gap">
${csrfField(csrfToken)}
<label for="member-list">Add many: paste addresses or a CSV (one person a line, any column)</label>
<textarea id="member-list" name="list" rows="5"></textarea>
<label for="member-file">or choose a CSV file</label>
<input id="member-file" name="file" type="file" accept=".csv,text/csv,text/plain">
<div><button class="secondary" type="submit">Add everyone listed</button></div></form></div>`;
}

function memberRow(
  member: TeamView['members'][number],
  path: string,
  csrfToken: string,
  times: ConsoleTimes,
): SafeHtml {
  return html`<tr><td>${personLink(member)}</td><td class="hide-phone small">${times.cell(member.joinedAt)}</td>
<td><form method="post" action="${path}/members/remove" class="inline">${csrfField(csrfToken)}
<input type="hidden" name="email" value="${member.email}">
<button class="secondary" type="submit" aria-label="Remove ${member.email}">Remove</button></form></td></tr>`;
}

export function seatsPanel(team: TeamView, csrfToken: string): SafeHtml {
  const path = teamPath(team.id);
  return html`<div class="panel"><ul class="small">${team.seatSources.map((source) => html`<li>${source.why}</li>`)}
${team.seatsAdjustment === 0 ? '' : html`<li>${signed(team.seatsAdjustment)} seats by hand</li>`}</ul>
<form method="post" action="${path}/resize" class="row">${csrfField(csrfToken)}
<label for="seats">Seats</label><input id="seats" name="seats" type="number" min="0" required value="${team.seats}">
<button class="secondary" type="submit">Resize</button>
<span class="small muted">Fewer seats than members removes nobody; nobody can be added until enough leave.</span></form></div>`;
}

function signed(value: number): string {
  return value > 0 ? `+${value}` : String(value);
}

export function historyPanel(history: readonly TeamHistoryEntry[], times: ConsoleTimes): SafeHtml {
  return html`<div class="panel"><table><tbody>${history.map((entry) => historyRow(entry, times))}</tbody></table></div>`;
}

function historyRow(entry: TeamHistoryEntry, times: ConsoleTimes): SafeHtml {
  return html`<tr><td class="small nowrap">${times.cell(entry.at)}</td><td>${historyAction(entry)}
${entry.member ? html` · ${personLink(entry.member)}` : ''}</td><td class="small muted">${entry.actor}</td></tr>`;
}

/** `resized from 2 to 3 seats`; other actions read as their name. */
function historyAction(entry: TeamHistoryEntry): string {
  const { from, to } = entry.detail;
  if (entry.action === 'resized' && typeof from === 'number' && typeof to === 'number')
    return `resized from ${from} to ${to} seats`;
  return entry.action.replace(/_/g, ' ');
}

const SHOWN_REFUSALS = 5;

/** The flash after a pasted list: counts first, then each refusal with its reason. */
export function describeListOutcome(outcome: MemberListOutcome): { text: string; tone: 'ok' | 'bad' } {
  const parts = [`Added ${outcome.added.length}.`];
  if (outcome.refused.length > 0) {
    // The message travels in a cookie: a few refusals in full, then a count.
    const shown = outcome.refused.slice(0, SHOWN_REFUSALS).map((refusal) => `${refusal.email} (${refusal.reason})`);
    const more = outcome.refused.length - shown.length;
    parts.push(`Not added: ${shown.join('; ')}${more > 0 ? `; and ${more} more` : ''}.`);
  }
  if (outcome.unreadable.length > 0)
    parts.push(`No address on line(s) ${outcome.unreadable.map((line) => line.line).join(', ')}.`);
  const bad = outcome.refused.length > 0 || outcome.unreadable.length > 0;
  return { text: parts.join(' '), tone: bad ? 'bad' : 'ok' };
}

/** The contact page's view of teams: pools this person leads, and seats they hold or held, with why. */
export function contactTeamsSection(teams: ContactTeams | null, times: ConsoleTimes): SafeHtml {
  if (!teams || (teams.leads.length === 0 && teams.memberOf.length === 0)) return html``;
  return html`<h2>Teams</h2><div class="panel"><table><tbody>
${teams.leads.map(
  (team) => html`<tr><td>leads <a href="${teamPath(team.id)}">${team.label}</a></td>
<td>${team.seatsUsed} / ${team.seats} seats</td><td class="small">${accessBadge(team)}</td></tr>`,
)}
${teams.memberOf.map((seat) => membershipRow(seat, times))}
</tbody></table></div>`;
}

type ContactTeams = NonNullable<Awaited<ReturnType<typeof teamsOfContact>>>;

function membershipRow(seat: ContactTeams['memberOf'][number], times: ConsoleTimes): SafeHtml {
  const held =
    seat.leftAt === null
      ? html`since ${times.cell(seat.joinedAt)}`
      : html`${times.cell(seat.joinedAt)} to ${times.cell(seat.leftAt)}`;
  const why =
    seat.leftAt === null
      ? `access follows the payer: ${seat.team.entitlement.reason}`
      : 'left the team: no access from it';
  return html`<tr><td>member of <a href="${teamPath(seat.team.id)}">${seat.team.label}</a></td>
<td class="small">${held}</td><td class="small">${why}</td></tr>`;
}
