/**
 * A CRM that refuses the credentials (401/403) is paused rather than failing every job: the jobs
 * wait without spending attempts, one of them re-checks the credentials every few minutes, and
 * the connector resumes (releasing the held jobs) once the check passes or the config changes.
 */
import { CrmError } from '../../ports/crm-connector.ts';
import {
  claimCrmConnectorCheck,
  loadCrmConnectorStatus,
  pauseCrmConnector,
  resumeCrmConnector,
} from '../../adapters/store/crm-connectors.ts';
import type { AppContext } from '../context.ts';
import type { CrmConnection } from './crm-connections.ts';
import { describeCrmFailure } from './describe-crm-failure.ts';
import { withinRateBudget } from './rate-budget-scope.ts';
import type { RetryLater } from '../../ports/jobs.ts';

export const CREDENTIALS_RECHECK_MS = 5 * 60_000;

/** Pauses the connector and says how long the job that hit the refusal waits. */
export async function pauseForRefusedCredentials(
  ctx: AppContext,
  connection: CrmConnection,
  error: CrmError,
): Promise<RetryLater> {
  const reason = describeCrmFailure(connection, error);
  await pauseCrmConnector(ctx.pool, connection.name, reason, ctx.clock.now());
  ctx.log.warn({ connector: connection.name, reason }, 'CRM connector paused');
  return { retryAfterMs: CREDENTIALS_RECHECK_MS, spendAttempt: false, holdsKind: true, reason: `paused: ${reason}` };
}

/**
 * Null when the connector may be used; otherwise how long to hold the job. When a re-check is
 * due, this caller makes it (exactly one caller per interval) and resumes the connector if the
 * credentials now work.
 */
export async function holdWhilePaused(ctx: AppContext, connection: CrmConnection): Promise<RetryLater | null> {
  const status = await loadCrmConnectorStatus(ctx.pool, connection.name);
  if (status?.status !== 'paused') return null;
  const now = ctx.clock.now();
  if (await claimCrmConnectorCheck(ctx.pool, connection.name, now, CREDENTIALS_RECHECK_MS)) {
    if (await credentialsWork(ctx, connection)) {
      await resumeCrmConnector(ctx.pool, connection.name, connection.syncJobKind, now);
      ctx.log.info({ connector: connection.name }, 'CRM credentials accepted again: connector resumed');
      return null;
    }
    return {
      retryAfterMs: CREDENTIALS_RECHECK_MS,
      spendAttempt: false,
      holdsKind: true,
      reason: `paused: ${status.pausedReason ?? 'credentials refused'}`,
    };
  }
  const nextCheckAt = (status.lastCheckAt ?? now) + CREDENTIALS_RECHECK_MS;
  return {
    retryAfterMs: Math.max(1_000, nextCheckAt - now),
    spendAttempt: false,
    holdsKind: true,
    reason: `paused: ${status.pausedReason ?? 'credentials refused'}`,
  };
}

async function credentialsWork(ctx: AppContext, connection: CrmConnection): Promise<boolean> {
  try {
    await withinRateBudget({ pool: ctx.pool, clock: ctx.clock, connector: connection.connector }, () =>
      connection.connector.check(),
    );
    return true;
  } catch (error) {
    if (error instanceof CrmError && error.kind === 'auth') {
      await pauseCrmConnector(ctx.pool, connection.name, describeCrmFailure(connection, error), ctx.clock.now());
    }
    // Anything else (outage, rate limit) proves nothing either way: stay paused, check again later.
    return false;
  }
}
