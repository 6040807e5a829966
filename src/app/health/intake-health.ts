import { ignoredTestDeliveriesSince, latestThriveCartDelivery } from '../../adapters/store/console-stats.ts';
import { refusedDeliveriesSince } from '../../adapters/store/refused-deliveries.ts';
import type { AppContext } from '../context.ts';
import { adviseOnRefusals, adviseOnTestMode, type RefusalAdvice } from './refusal-advice.ts';

/** How far back refused and test-mode deliveries are reported. */
export const INTAKE_HEALTH_WINDOW_MS = 7 * 24 * 60 * 60 * 1000;

/** Why ThriveCart's recent calls did not change anything, with the fix: for Overview, Problems and `doctor`. */
export interface IntakeHealth {
  refusals: RefusalAdvice[];
  /** Refused calls this week that nothing shows were fixed since. */
  refusedCount: number;
  testMode: { what: string; fix: string } | null;
}

export async function loadIntakeHealth(ctx: AppContext, now: number): Promise<IntakeHealth> {
  const since = now - INTAKE_HEALTH_WINDOW_MS;
  const [summaries, ignoredTests, latest] = await Promise.all([
    refusedDeliveriesSince(ctx.pool, since),
    ignoredTestDeliveriesSince(ctx.pool, since),
    latestThriveCartDelivery(ctx.pool),
  ]);
  const refusals = adviseOnRefusals(summaries, ctx.config.thrivecart.account, latest?.receivedAt ?? null);
  return {
    refusals,
    refusedCount: refusals.filter((refusal) => !refusal.resolved).reduce((sum, refusal) => sum + refusal.count, 0),
    testMode: adviseOnTestMode(ignoredTests, ctx.config.thrivecart.testMode),
  };
}
