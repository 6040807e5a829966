import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../../app/context.ts';
import { listDunningCaseViews, type DunningCaseView } from '../../../app/dunning/list-dunning-cases.ts';
import { sessionOf } from '../console-plugin.ts';
import { html, type SafeHtml } from '../html.ts';
import { badge, sendPage } from '../layout.ts';
import { caseOutcome, recoveryFigure } from '../views/dunning-view.ts';
import { bodyRow, headRow, type Column } from '../table.ts';
import { consoleTimes, type ConsoleTimes } from '../views/times.ts';

const LIMIT = 200;

export function registerDunningPage(server: FastifyInstance, ctx: AppContext): void {
  server.get('/dunning', async (request, reply) => {
    const [open, closed] = await Promise.all([
      listDunningCaseViews(ctx, { state: 'open', limit: LIMIT }),
      listDunningCaseViews(ctx, { state: 'closed', limit: LIMIT }),
    ]);
    const times = consoleTimes(ctx);
    const recovery = recoveryFigure(open.length, closed);
    const body = html`<h1>Failed payments</h1>
<div class="cards">${figure(String(open.length), 'open cases')}${figure(recovery.value, recovery.label)}</div>
<h2>Open</h2>
<div class="panel">${caseTable(open, 'open', times)}</div>
<h2>Closed</h2>
<div class="panel">${caseTable(closed, 'closed', times)}</div>`;
    return sendPage(reply, { title: 'Dunning', section: '/dunning', csrfToken: sessionOf(request).csrfToken }, body);
  });
}

function figure(value: string, label: string): SafeHtml {
  return html`<div class="card"><div class="value">${value}</div><div class="label">${label}</div></div>`;
}

type Which = 'open' | 'closed';

function caseTable(cases: DunningCaseView[], which: Which, times: ConsoleTimes): SafeHtml {
  if (cases.length === 0)
    return html`<p class="muted">${which === 'open' ? 'No payment is failing right now.' : 'No closed case yet.'}</p>`;
  const rows = cases.map((dunningCase) => caseRow(dunningCase, which, times));
  return html`<table><thead>${headRow(CASE_COLUMNS[which])}</thead><tbody>${rows}</tbody></table>`;
}

const caseColumns = (step: string, end: string): Column[] => [
  { label: 'Who' },
  { label: 'What' },
  { label: 'Since', className: 'hide-phone small' },
  { label: step },
  { label: end, className: 'small' },
];
const CASE_COLUMNS: Record<Which, Column[]> = {
  open: caseColumns('Next step', 'Access ends'),
  closed: caseColumns('Outcome', 'Closed'),
};

function caseRow(dunningCase: DunningCaseView, which: Which, times: ConsoleTimes): SafeHtml {
  const who = html`<a href="/contacts/${encodeURIComponent(dunningCase.email)}">${dunningCase.name ?? dunningCase.email}</a>`;
  const due = dunningCase.amountDue ? html` <span class="small muted">(${dunningCase.amountDue} due)</span>` : '';
  const since = html`${times.cell(dunningCase.openedAt)} · ${dunningCase.failures} failure(s)`;
  const ends = which === 'open' ? dunningCase.accessEndsAt : dunningCase.closedAt;
  const step = which === 'open' ? nextStep(dunningCase, times) : outcome(dunningCase);
  const what = html`${dunningCase.product}${due}`;
  return bodyRow(CASE_COLUMNS[which], [who, what, since, step, times.cell(ends)], `case-${dunningCase.id}`);
}

function nextStep(dunningCase: DunningCaseView, times: ConsoleTimes): SafeHtml | string {
  const step = dunningCase.nextStep;
  return step ? html`${step.step} <span class="small muted">${times.cell(step.at)}</span>` : '';
}

function outcome(dunningCase: DunningCaseView): SafeHtml {
  const { label, tone } = caseOutcome(dunningCase.state);
  return badge(label, tone);
}
