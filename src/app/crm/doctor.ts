/** `handoff doctor`: can each configured CRM be reached with the configured credentials? */
import { loadCrmConnectorStatus, resumeCrmConnector } from '../../adapters/store/crm-connectors.ts';
import type { AppContext } from '../context.ts';
import type { CrmSync } from './crm-sync.ts';
import { describeCrmFailure } from './describe-crm-failure.ts';
import { withPatience, type Sleep } from './with-patience.ts';

export interface ConnectorDiagnosis {
  name: string;
  provider: string;
  baseUrl: string;
  ok: boolean;
  /** "works", or what is wrong in plain words. */
  message: string;
}

export async function diagnoseCrms(ctx: AppContext, sync: CrmSync, sleep: Sleep): Promise<ConnectorDiagnosis[]> {
  const diagnoses: ConnectorDiagnosis[] = [];
  for (const connection of sync.connections) {
    const base = { name: connection.name, provider: connection.provider, baseUrl: connection.baseUrl };
    try {
      await withPatience(ctx, connection, sleep, () => connection.connector.check());
    } catch (error) {
      diagnoses.push({ ...base, ok: false, message: describeCrmFailure(connection, error) });
      continue;
    }
    const status = await loadCrmConnectorStatus(ctx.pool, connection.name);
    if (status?.status === 'paused') {
      // The credentials work now: no reason to keep holding its jobs until the next periodic check.
      await resumeCrmConnector(ctx.pool, connection.name, connection.syncJobKind, ctx.clock.now());
      diagnoses.push({
        ...base,
        ok: true,
        message: `works; it had been paused (${status.pausedReason ?? 'credentials refused'}) and is resumed now`,
      });
    } else {
      diagnoses.push({ ...base, ok: true, message: 'works' });
    }
  }
  return diagnoses;
}
