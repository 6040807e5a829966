import type { AppContext } from '../../../app/context.ts';
import { nextStep, offlineChecklist, type ChecklistItem } from '../../../app/health/go-live-checklist.ts';
import { latestThriveCartDelivery } from '../../../adapters/store/console-stats.ts';
import { html, type SafeHtml } from '../html.ts';

/**
 * What Overview suggests until ThriveCart's first delivery arrives: the next item of the go-live
 * checklist that is failing or still to do. Null once ThriveCart has delivered (hand changes and
 * simulated deliveries do not count), so the banner goes away by itself.
 */
export async function firstStep(ctx: AppContext, publicUrl: string): Promise<ChecklistItem | null> {
  if ((await latestThriveCartDelivery(ctx.pool)) !== null) return null;
  const items = await offlineChecklist(ctx, publicUrl, ctx.clock.now());
  return nextStep(items);
}

export function firstStepBanner(step: ChecklistItem | null): SafeHtml {
  if (step === null) return html``;
  return html`<div class="panel first-step"><h2>Next step: ${step.title}</h2>
<p>${step.todo ?? step.found}</p>
<p class="small muted">No delivery from ThriveCart has arrived yet. <a href="/setup">The go-live checklist</a> shows every step.</p></div>`;
}
