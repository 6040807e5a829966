import { html, type SafeHtml } from '../console/html.ts';
import { page } from '../console/layout.ts';
import type { TeamPageMember, TeamPageModel } from '../../app/teams/team-page.ts';
import type { ConsoleTimes } from '../console/views/times.ts';

/** A message for the page: the outcome of the last form, good or bad. */
export interface TeamPageMessage {
  text: string;
  bad: boolean;
}

/** What the add form shows again after a refusal: the address typed and why it was refused. */
export interface AddFormState {
  email: string;
  error: string | null;
}

export function teamPage(
  model: TeamPageModel,
  actionPath: string,
  message: TeamPageMessage | null,
  /** The console's time zone and now: the leader reads times as the creator's console shows them. */
  times: ConsoleTimes,
  addForm: AddFormState = { email: '', error: null },
): SafeHtml {
  const body = html`<h1>${model.title}</h1>
${model.accessNote ? html`<div class="flash bad" role="alert">${model.accessNote}</div>` : ''}
${seatsSummary(model)}
${model.role === 'leader' ? leaderSections(model, actionPath, addForm, times) : memberSection(model, actionPath)}`;
  return page({ title: model.title, flash: message }, body);
}

function seatsSummary(model: TeamPageModel): SafeHtml {
  const free = Math.max(0, model.seats - model.used);
  return html`<div class="cards">
<div class="card"><div class="value">${model.used} / ${model.seats}</div><div class="label">seats used</div></div>
<div class="card"><div class="value">${free}</div><div class="label">seats free</div></div>
</div>
<p>Seats give access to <strong>${model.productName}</strong>.</p>`;
}

function leaderSections(
  model: TeamPageModel,
  actionPath: string,
  addForm: AddFormState,
  times: ConsoleTimes,
): SafeHtml {
  return html`<h2>Add a member</h2>
<div class="panel">${addMemberForm(actionPath, addForm, model.used >= model.seats)}</div>
<h2>Members</h2>
<div class="panel">${memberList(model.members, actionPath, times)}</div>
<p class="small muted">Each member gets access with their own e-mail address, for as long as your plan is paid for.
Removing someone frees their seat at once. Keep this page's link to yourself: whoever has it can manage your team.</p>`;
}

function addMemberForm(actionPath: string, state: AddFormState, full: boolean): SafeHtml {
  return html`<form class="stack form-gap" method="post" action="${actionPath}/members">
<label for="member-email">Their e-mail address</label>
<input id="member-email" name="email" type="email" required autocomplete="off" value="${state.email}"
 ${state.error ? html`aria-invalid="true" aria-describedby="add-error"` : ''}>
${state.error ? html`<p id="add-error" class="flash bad" role="alert">${state.error}</p>` : ''}
${full ? html`<p class="small muted">Every seat is taken: remove someone first to add someone else.</p>` : ''}
<div><button type="submit">Add to the team</button></div>
</form>`;
}

function memberList(members: readonly TeamPageMember[], actionPath: string, times: ConsoleTimes): SafeHtml {
  if (members.length === 0) return html`<p class="muted">Nobody yet: add your colleagues above.</p>`;
  return html`${members.map((member) => memberRow(member, actionPath, times))}`;
}

function memberRow(member: TeamPageMember, actionPath: string, times: ConsoleTimes): SafeHtml {
  return html`<div class="row form-gap" data-member="${member.email}">
<div class="grow"><div>${member.name ?? member.email}</div>
<div class="small muted">${member.name ? html`${member.email} · ` : ''}joined ${times.cell(member.joinedAt)}</div></div>
<form class="inline" method="post" action="${actionPath}/members/remove">
<input type="hidden" name="email" value="${member.email}">
<button class="secondary" type="submit" aria-label="Remove ${member.email}">Remove</button>
</form>
</div>`;
}

function memberSection(model: TeamPageModel, actionPath: string): SafeHtml {
  return html`<div class="panel"><p>You are on this team as <strong>${model.viewerEmail}</strong>.</p>
<p>If you leave, you lose the access the team gives you and your seat goes back to the team's leader.</p>
<form method="post" action="${actionPath}/leave"><p><button class="danger" type="submit">Leave the team</button></p></form>
</div>`;
}

/** Any link that opens nothing: forged, altered, revoked, or of someone who no longer holds the role. */
export function linkNotValidPage(): SafeHtml {
  return page(
    { title: 'Link not valid' },
    html`<h1>This link does not open a team</h1>
<div class="panel"><p>It may have been replaced by a newer link, or you may no longer be on this team.</p>
<p>Ask the team's leader, or the school that sold the plan, for a current link.</p></div>`,
  );
}

/** After a member left through their own link (which no longer opens the team). */
export function leftTeamPage(title: string): SafeHtml {
  return page(
    { title: 'You left the team' },
    html`<h1>You left ${title}</h1><div class="panel"><p>Your seat went back to the team's leader. Nothing else is needed.</p></div>`,
  );
}
