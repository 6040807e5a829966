import { crmHealth } from '../../adapters/store/crm-sync-status.ts';
import type { AppContext } from '../context.ts';
import type { CrmSync } from '../crm/crm-sync.ts';
import { diagnoseCrms } from '../crm/doctor.ts';
import type { Sleep } from '../crm/with-patience.ts';
import { judgeCrmConnection } from './crm-connection-state.ts';
import { fail, ok, warn, type HealthCheck } from './health-check.ts';

/**
 * Each CRM twice: a live call with the configured key (the connector's own check, which validates
 * the answer's shape), and what its syncs did lately: a key that works now does not undo syncs
 * that gave up.
 */
export async function checkCrms(ctx: AppContext, sync: CrmSync, sleep: Sleep): Promise<HealthCheck[]> {
  if (sync.connections.length === 0)
    return [
      warn(
        'CRM',
        'no CRM is configured, so tags reach no CRM',
        'Add a crm: entry (README: "CRM and AccessAlly") if your membership site reads tags from a CRM.',
      ),
    ];
  const [diagnoses, health] = await Promise.all([diagnoseCrms(ctx, sync, sleep), crmHealth(ctx.pool)]);
  const checks: HealthCheck[] = [];
  for (const diagnosis of diagnoses) {
    const part = `CRM ${diagnosis.name}`;
    checks.push(
      diagnosis.ok
        ? ok(
            part,
            `${diagnosis.provider} at ${diagnosis.baseUrl} answered with the configured key: ${diagnosis.message}`,
          )
        : fail(
            part,
            diagnosis.message.replace(`${diagnosis.name}: `, ''),
            `Check the ${diagnosis.provider} entry of the configuration (key, account and base URL, as the README's "CRM and AccessAlly" shows), then run npx handoff doctor again.`,
          ),
    );
    const recent = health.find((entry) => entry.connector === diagnosis.name);
    // Its syncs are judged only when the key works: a refused key already says what to fix.
    if (!recent || !diagnosis.ok) continue;
    const verdict = judgeCrmConnection(recent);
    // A paused connection that passed the check above has just been resumed by it.
    if (verdict.state === 'paused') continue;
    if (verdict.tone === 'bad')
      checks.push(fail(part, verdict.problem ?? verdict.label, verdict.fix ?? 'See the Problems page.'));
    else if (verdict.tone === 'warn')
      checks.push(warn(part, verdict.problem ?? verdict.label, verdict.fix ?? undefined));
    else
      checks.push(
        ok(
          part,
          recent.lastSyncedAt === null
            ? 'no contact synced yet'
            : `last sync ${new Date(recent.lastSyncedAt).toISOString()}`,
        ),
      );
  }
  return checks;
}
