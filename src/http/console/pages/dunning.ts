import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { listDunningCaseViews, type DunningCaseView } from '../../../app/dunning/list-dunning-cases.ts';
import { sessionOf } from '../console-plugin.ts';
import { html, type SafeHtml } from '../html.ts';
import { badge, page, when } from '../layout.ts';

const LIMIT = 200;

export function registerDunningPage(server: FastifyInstance, ctx: AppContext): void {
  server.get('/dunning', async (request, reply) => {
    const [open, closed] = await Promise.all([
      listDunningCaseViews(ctx, { state: 'open', limit: LIMIT }),
      listDunningCaseViews(ctx, { state: 'closed', limit: LIMIT }),
    ]);
    const recovered = closed.filter(
      (dunningCase) => dunningCase.state === 'recovered' || dunningCase.state === 'recovered-after-loss',
    ).length;
    const decided = closed.filter((dunningCase) => dunningCase.state !== 'cancelled').length;
    const rate = decided === 0 ? null : Math.round((recovered / decided) * 100);
    const body = html`<h1>Failed payments</h1>
<div class="cards">
  <div class="card"><div class="value">${open.length}</div><div class="label">open cases</div></div>
  <div class="card"><div class="value">${rate === null ? '–' : `${rate}%`}</div><div class="label">recovered (of the last ${decided} decided cases)</div></div>
</div>
<h2>Open</h2>
<div class="panel">${caseTable(open, true)}</div>
<h2>Closed</h2>
<div class="panel">${caseTable(closed, false)}</div>`;
    return reply
      .type('text/html')
      .send(page({ title: 'Dunning', section: '/dunning', csrfToken: sessionOf(request).csrfToken }, body).text);
  });
}

function caseTable(cases: DunningCaseView[], open: boolean): SafeHtml {
  if (cases.length === 0)
    return html`<p class="muted">${open ? 'No payment is failing right now.' : 'No closed case yet.'}</p>`;
  return html`<table><thead><tr><th>Who</th><th>What</th><th class="hide-phone">Since</th><th>${open ? 'Next step' : 'Outcome'}</th><th>${open ? 'Access ends' : 'Closed'}</th></tr></thead><tbody>
${cases.map(
  (
    dunningCase,
  ) => html`<tr><td><a href="/contacts/${encodeURIComponent(dunningCase.email)}">${dunningCase.name ?? dunningCase.email}</a></td>
<td>${dunningCase.product}${dunningCase.amountDue ? html` <span class="small muted">(${dunningCase.amountDue} due)</span>` : ''}</td>
<td class="hide-phone small">${when(dunningCase.openedAt)} · ${dunningCase.failures} failure(s)</td>
<td>${open ? (dunningCase.nextStep ? html`${dunningCase.nextStep.step} <span class="small muted">${when(dunningCase.nextStep.at)}</span>` : '') : outcome(dunningCase)}</td>
<td class="small">${open ? when(dunningCase.accessEndsAt) : when(dunningCase.closedAt)}</td></tr>`,
)}</tbody></table>`;
}

function outcome(dunningCase: DunningCaseView): SafeHtml {
  switch (dunningCase.state) {
    case 'recovered':
      return badge('recovered', 'ok');
    case 'recovered-after-loss':
      return badge('recovered after access ended', 'ok');
    case 'lost':
      return badge('lost', 'bad');
    case 'cancelled':
      return badge('cancelled');
    default:
      return badge(dunningCase.state, 'warn');
  }
}
