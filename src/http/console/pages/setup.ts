import type { FastifyInstance, FastifyRequest } from 'fastify';
import { createCrmSync } from '../../../app/crm/crm-sync.ts';
import { diagnoseCrms, type ConnectorDiagnosis } from '../../../app/crm/doctor.ts';
import { sleepWhileSomeoneWaits } from '../../../app/crm/with-patience.ts';
import { stringify } from 'yaml';
import type { AppContext } from '../../../app/context.ts';
import { listDeliveries } from '../../../adapters/store/deliveries.ts';
import type { ConsoleOptions } from '../console-plugin.ts';
import { sessionOf } from '../console-plugin.ts';
import { html } from '../html.ts';
import { badge, csrfField, page } from '../layout.ts';
import { consoleTimes } from '../views/times.ts';
import { statusBadge } from './deliveries.ts';
import { refusalsPanel } from './health-panels.ts';
import { loadIntakeHealth } from '../../../app/health/intake-health.ts';

/** Keys whose values are credentials: shown as •••• on the page. */
const SECRET_KEY = /secret|password|token|apikey|api_key|key$|smtp/i;

/** A copy of the configuration with every credential replaced, safe to show. */
export function maskSecrets(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((item) => maskSecrets(item));
  if (value && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([name, item]) => [name, maskSecrets(item, name)]));
  if (typeof value === 'string' && SECRET_KEY.test(key)) return value === '' ? '' : '••••••••';
  return value;
}

export function registerSetupPage(server: FastifyInstance, ctx: AppContext, options: ConsoleOptions): void {
  const render = async (request: FastifyRequest, diagnoses: ConnectorDiagnosis[] | null): Promise<string> => {
    const [latest] = await listDeliveries(ctx.pool, { limit: 1 });
    const webhookUrl = `${options.publicUrl}/webhooks/thrivecart`;
    const times = consoleTimes(ctx);
    const intake = await loadIntakeHealth(ctx, times.now);
    const body = html`<h1>Setup check</h1>
<div class="panel"><table>
<tr><th>Webhook URL for ThriveCart</th><td><span class="mono">${webhookUrl}</span><div class="small muted">ThriveCart: Settings → API &amp; Webhooks → Webhooks &amp; notifications → Add webhook. It must be reachable from the internet (set HANDOFF_PUBLIC_URL to the public address).</div></td></tr>
<tr><th>ThriveCart account</th><td>${ctx.config.thrivecart.account} · test-mode events are ${ctx.config.thrivecart.testMode === 'ignore' ? 'stored and ignored' : 'processed'}</td></tr>
<tr><th>Last delivery</th><td>${
      latest
        ? html`${times.cell(latest.receivedAt)} · ${latest.eventName} · ${statusBadge(latest.status)} ${badge('secret word verified', 'ok')} <a href="/deliveries/${latest.id}">view</a>`
        : html`${badge('none yet', 'warn')} <span class="small muted">Send a test purchase from ThriveCart, or run <span class="mono">npx handoff simulate purchase --email you@example.com --item product-1</span>.</span>`
    }</td></tr>
${intake.refusals.length === 0 ? '' : html`<tr><th>Refused calls this week</th><td>${refusalsPanel(intake, times)}</td></tr>`}
<tr><th>Offerings / items</th><td>${ctx.config.offerings.length} offering(s), ${ctx.config.items.length} ThriveCart item(s) mapped</td></tr>
</table></div>
<h2>CRM connections</h2>
<div class="panel">${
      ctx.config.crm.length === 0
        ? html`<p class="muted">No CRM is configured (see "CRM and AccessAlly" in the README).</p>`
        : html`${
            diagnoses === null
              ? html`<p class="muted">Checks each CRM's address and key with one cheap call, like <span class="mono">npx handoff doctor</span>.</p>`
              : html`<table><tbody>${diagnoses.map((diagnosis) => html`<tr><td>${diagnosis.name} <span class="small muted">${diagnosis.provider}</span></td><td>${diagnosis.ok ? badge('works', 'ok') : badge('problem', 'bad')}</td><td class="small">${diagnosis.message}</td></tr>`)}</tbody></table>`
          }<form method="post" action="/setup/doctor" class="row" style="padding-top:10px">${csrfField(sessionOf(request).csrfToken)}<button type="submit" class="secondary">Check CRM connections now</button></form>`
    }</div>
<h2>Loaded configuration <span class="small muted">(credentials hidden)</span></h2>
<pre>${stringify(maskSecrets(ctx.config))}</pre>`;
    return page({ title: 'Setup', section: '/setup', csrfToken: sessionOf(request).csrfToken }, body).text;
  };

  server.get('/setup', async (request, reply) => reply.type('text/html').send(await render(request, null)));

  server.post('/setup/doctor', async (request, reply) => {
    const diagnoses = await diagnoseCrms(ctx, createCrmSync(ctx.config), sleepWhileSomeoneWaits);
    return reply.type('text/html').send(await render(request, diagnoses));
  });
}
