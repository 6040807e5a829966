import type { FastifyReply } from 'fastify';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { stringify } from 'yaml';
import type { AppContext } from '../../../app/context.ts';
import { createCrmSync } from '../../../app/crm/crm-sync.ts';
import { sleepWhileSomeoneWaits } from '../../../app/crm/with-patience.ts';
import {
  liveChecklist,
  offlineChecklist,
  type ChecklistItem,
  type ChecklistState,
} from '../../../app/health/go-live-checklist.ts';
import { RecentResult } from '../../../app/health/recent-result.ts';
import type { ConsoleOptions } from '../console-plugin.ts';
import { sessionOf } from '../console-plugin.ts';
import { html, type SafeHtml } from '../html.ts';
import { badge, csrfField, sendPage } from '../layout.ts';
import { consoleTimes } from '../views/times.ts';

/** Keys whose values are credentials: shown as •••• on the page. */
const SECRET_KEY = /secret|password|token|apikey|api_key|key$|smtp/i;

/** How long the round trips of the checklist (CRMs, SMTP, AccessAlly) are reused before checking again. */
const LIVE_CHECKS_TTL_MS = 60_000;

/** A copy of the configuration with every credential replaced, safe to show. */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, maskSecrets(item, name)]));
  if (typeof value === 'string' && SECRET_KEY.test(key)) return value === '' ? '' : '••••••••';
  return value;
}

const STATE_BADGE: Record<ChecklistState, { text: string; tone: 'ok' | 'warn' | 'bad' | 'plain' }> = {
  ok: { text: 'ok', tone: 'ok' },
  todo: { text: 'to do', tone: 'warn' },
  failing: { text: 'failing', tone: 'bad' },
  'not-configured': { text: 'not configured', tone: 'plain' },
};

/** What the Setup page shows, decided before any HTML is written. */
interface SetupView {
  webhookUrl: string;
  items: ChecklistItem[];
  summary: string;
  /** When the round trips shown were made, as the console writes times. */
  liveCheckedAt: SafeHtml;
  csrfToken: string;
  config: unknown;
}

export function registerSetupPage(server: FastifyInstance, ctx: AppContext, options: ConsoleOptions): void {
  const live = new RecentResult(
    () => liveChecklist(ctx, createCrmSync(ctx.config), sleepWhileSomeoneWaits),
    LIVE_CHECKS_TTL_MS,
    () => ctx.clock.now(),
  );
  const view = async (request: FastifyRequest, refresh: boolean): Promise<SetupView> => {
    const [offline, checked] = await Promise.all([
      offlineChecklist(ctx, options.publicUrl, ctx.clock.now()),
      live.get(refresh),
    ]);
    const items = [...offline, ...checked.value];
    return {
      webhookUrl: `${options.publicUrl}/webhooks/thrivecart`,
      items,
      summary: summarize(items),
      liveCheckedAt: consoleTimes(ctx).cell(checked.checkedAt),
      csrfToken: sessionOf(request).csrfToken,
      config: maskSecrets(ctx.config),
    };
  };
  const send = (reply: FastifyReply, setup: SetupView): FastifyReply =>
    sendPage(reply, { title: 'Setup', section: '/setup', csrfToken: setup.csrfToken }, setupBody(setup));

  server.get('/setup', async (request, reply) => send(reply, await view(request, false)));
  // "Check again now": the round trips run at once instead of waiting for the cached ones to age.
  server.post('/setup/doctor', async (request, reply) => send(reply, await view(request, true)));
}

function summarize(items: ChecklistItem[]): string {
  const count = (state: ChecklistState) => items.filter((entry) => entry.state === state).length;
  const done = count('ok');
  const needed = items.length - count('not-configured');
  const parts = [`${done} of ${needed} done`];
  if (count('failing') > 0) parts.push(`${count('failing')} failing`);
  if (count('not-configured') > 0) parts.push(`${count('not-configured')} not configured`);
  return parts.join(' · ');
}

function setupBody(setup: SetupView): SafeHtml {
  return html`<h1>Go-live checklist</h1>
${webhookUrlPanel(setup.webhookUrl)}
<h2>${setup.summary}</h2>
<div class="panel">${checklistTable(setup.items)}${checkAgainForm(setup)}</div>
<h2>Loaded configuration <span class="small muted">(credentials hidden)</span></h2>
<pre>${stringify(setup.config)}</pre>`;
}

function webhookUrlPanel(webhookUrl: string): SafeHtml {
  return html`<div class="panel"><p><strong>Webhook URL for ThriveCart</strong>
<span class="mono">${webhookUrl}</span></p>
<p class="small muted">ThriveCart: Settings → API &amp; Webhooks → Webhooks &amp; notifications → Add webhook.
It must be reachable from the internet (HANDOFF_PUBLIC_URL).</p></div>`;
}

function checklistTable(items: ChecklistItem[]): SafeHtml {
  return html`<table class="checklist"><tbody>${items.map(checklistRow)}</tbody></table>`;
}

function checklistRow(entry: ChecklistItem): SafeHtml {
  const { text, tone } = STATE_BADGE[entry.state];
  return html`<tr data-state="${entry.state}"><th>${entry.title}</th><td>${badge(text, tone)}</td>
<td>${entry.found}${entry.todo ? html`<div class="small"><strong>To do:</strong> ${entry.todo}</div>` : ''}</td></tr>`;
}

function checkAgainForm(setup: SetupView): SafeHtml {
  return html`<form method="post" action="/setup/doctor" class="row form-gap">${csrfField(setup.csrfToken)}
<button type="submit" class="secondary">Check again now</button>
<span class="small muted">CRMs, SMTP and AccessAlly checked ${setup.liveCheckedAt}</span></form>`;
}
