import type { DeliveryProblems, ReconcileProblem } from '../../../app/thrivecart/delivery-problems.ts';
import { html, type SafeHtml } from '../html.ts';
import { csrfField } from '../layout.ts';
import { bodyRow, headRow, type Column } from '../table.ts';
import type { ConsoleTimes } from '../views/times.ts';

/** The Problems page's ThriveCart sections: the reconcile's findings, deliveries Handoff could not use, unmapped items, silences. */
export function deliveryProblemsPanels(problems: DeliveryProblems, times: ConsoleTimes, csrfToken: string): SafeHtml {
  const reconcile = problems.reconcile === null ? '' : reconcileSection(problems.reconcile, times, csrfToken);
  return html`${reconcile}<h2>Deliveries Handoff could not use</h2>
<div class="panel">${rejectedSection(problems, times)}</div>
<h2>Items sold that the configuration does not map</h2>
<div class="panel">${unmappedSection(problems)}</div>
<h2>Subscriptions ThriveCart said nothing about</h2>
<div class="panel">${silentSection(problems)}</div>`;
}

function silentSection({ silentSubscriptions }: DeliveryProblems): SafeHtml {
  if (silentSubscriptions.length === 0)
    return html`<p class="muted">Every subscription due for payment was renewed, failed or cancelled.</p>`;
  return html`<ul>${silentSubscriptions.map((silent) => html`<li class="small">${silent.message}</li>`)}</ul>`;
}

function reconcileSection(reconcile: ReconcileProblem, times: ConsoleTimes, csrfToken: string): SafeHtml {
  if (reconcile.error !== null)
    return html`<h2>Reconcile with ThriveCart</h2>
<div class="panel"><p>The check of ${times.cell(reconcile.checkedAt)} stopped: ${reconcile.error}</p><p class="small">${reconcile.fix}</p></div>`;
  return html`<h2>What ThriveCart knows that no webhook said</h2>
<div class="panel"><p class="small">Found by the check of ${times.cell(reconcile.checkedAt)}:
refunds or cancellations made in Stripe or PayPal, or lost webhooks.</p>
<ul>${reconcile.findings.map(
    (finding) => html`<li class="small">${finding.email}: ${finding.summary} (${times.cell(finding.at)})</li>`,
  )}</ul>
<form method="post" action="/problems/reconcile-fix" class="row form-gap">${csrfField(csrfToken)}
<button type="submit">Apply what ThriveCart says</button></form>
<p class="small muted">Or run <code>npx handoff thrivecart reconcile --fix</code>.</p></div>`;
}

function rejectedSection({ rejectedDeliveries }: DeliveryProblems, times: ConsoleTimes): SafeHtml {
  if (rejectedDeliveries.length === 0) return html`<p class="muted">Every ThriveCart delivery could be read.</p>`;
  const rows = rejectedDeliveries.map((delivery) => rejectedRow(delivery, times));
  return html`<p class="small">Once the cause is fixed, <code>npx handoff replay</code> applies them.</p>
<table><thead>${headRow(REJECTED_COLUMNS)}</thead><tbody>${rows}</tbody></table>`;
}

const REJECTED_COLUMNS: Column[] = [
  { label: 'Delivery' },
  { label: 'Received', className: 'hide-phone small' },
  { label: 'What was missing', className: 'small' },
];
const UNMAPPED_COLUMNS: Column[] = [{ label: 'Item' }, { label: 'Orders' }, { label: 'Line to add' }];

function rejectedRow(delivery: DeliveryProblems['rejectedDeliveries'][number], times: ConsoleTimes): SafeHtml {
  const link = html`<a href="/deliveries/${delivery.deliveryId}">${delivery.eventName} #${delivery.deliveryId}</a>`;
  return bodyRow(REJECTED_COLUMNS, [link, times.cell(delivery.receivedAt), delivery.reason]);
}

function unmappedSection({ unmappedItems }: DeliveryProblems): SafeHtml {
  if (unmappedItems.length === 0)
    return html`<p class="muted">Every item in the orders Handoff applied is configured.</p>`;
  const rows = unmappedItems.map((item) =>
    bodyRow(UNMAPPED_COLUMNS, [
      html`${item.name} <span class="small muted">${item.item}</span>`,
      html`${item.orders} <span class="small muted">latest ${item.latestOrderId}</span>`,
      html`<code>${item.configLine}</code>`,
    ]),
  );
  return html`<p class="small">Their buyers got nothing for them. Add the line under <code>items:</code>, choose the offering,
restart and run <code>npx handoff replay</code>.</p>
<table><thead>${headRow(UNMAPPED_COLUMNS)}</thead><tbody>${rows}</tbody></table>`;
}
