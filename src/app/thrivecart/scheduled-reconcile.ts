/**
 * The service's own reconcile with ThriveCart (thrivecart.reconcile.every; daily by default when
 * thrivecart.apiKey is set): a durable job, so one process runs it and a restart keeps the
 * schedule. Each run looks at the last RECONCILE_LOOKBACK_DAYS of transactions (the API has no
 * date filter, so a shorter window reads fewer pages of the budget it shares with imports) and
 * records what it found, which Problems shows with its fix. The console's Fix button queues the
 * same job with `fix` set.
 */
import { enqueueJob } from '../../adapters/jobs/enqueue-job.ts';
import type { ThriveCartApi } from '../../adapters/sources/thrivecart/api-client.ts';
import { latestReconcileRun, oneThriveCartWalkAtATime } from '../../adapters/store/thrivecart-reconciles.ts';
import { DAY_MS } from '../../core/time.ts';
import type { ClaimedJob, RetryLater } from '../../ports/jobs.ts';
import type { AppContext } from '../context.ts';
import { reconcileWithThriveCart } from './reconcile-thrivecart.ts';

export const THRIVECART_RECONCILE_JOB = 'thrivecart.reconcile';
const SCHEDULED_KEY = 'scheduled';
const FIX_KEY = 'fix';
/** Refunds and cancellations made in Stripe or PayPal can reach ThriveCart's list late: look back a month. */
export const RECONCILE_LOOKBACK_DAYS = 30;
/** A run that could not reach ThriveCart is tried again this soon rather than a whole period later. */
const RETRY_FAILED_MS = 3_600_000;
const BUSY_RETRY_MS = 60_000;

/** The period between scheduled reconciles, or null when there are none (no API key, or `every: off`). */
export function reconcilePeriod(ctx: Pick<AppContext, 'config'>): number | null {
  return ctx.config.thrivecart.apiKey === undefined ? null : ctx.config.thrivecart.reconcile.every;
}

/**
 * Puts the next scheduled reconcile in the queue (at service start): one period after the last
 * finished run, or now before the first. A pending one keeps the earlier time.
 */
export async function scheduleThriveCartReconcile(ctx: AppContext): Promise<void> {
  const every = reconcilePeriod(ctx);
  if (every === null) return;
  const last = await latestReconcileRun(ctx.pool);
  const runAt = last?.finishedAt == null ? ctx.clock.now() : Math.max(ctx.clock.now(), last.finishedAt + every);
  await enqueueJob(ctx.pool, { kind: THRIVECART_RECONCILE_JOB, key: SCHEDULED_KEY, runAt });
}

/** Queues a reconcile that applies what it finds (the console's Fix button), due now. */
export async function queueReconcileFix(ctx: AppContext): Promise<void> {
  await enqueueJob(ctx.pool, { kind: THRIVECART_RECONCILE_JOB, key: FIX_KEY, runAt: ctx.clock.now() });
}

export async function runReconcileJob(
  ctx: AppContext,
  api: ThriveCartApi,
  job: ClaimedJob,
): Promise<RetryLater | void> {
  const fix = job.key === FIX_KEY;
  const every = reconcilePeriod(ctx);
  const outcome = await oneThriveCartWalkAtATime(ctx.pool, async () => {
    // A run that outlived its job's lease is claimed again while it goes on; once it is done, the
    // second claim finds a fresh result and only schedules the next.
    const last = await latestReconcileRun(ctx.pool);
    const fresh = every !== null && last?.finishedAt != null && ctx.clock.now() - last.finishedAt < every / 2;
    if (fix || !fresh) {
      const now = ctx.clock.now();
      try {
        await reconcileWithThriveCart(ctx, api, {
          fix,
          window: { since: now - RECONCILE_LOOKBACK_DAYS * DAY_MS, until: null },
        });
      } catch (error) {
        // Recorded (Problems shows it); the next try comes sooner than a period.
        ctx.log.warn({ err: error }, 'the scheduled reconcile with ThriveCart failed');
        return 'failed' as const;
      }
    }
    return 'done' as const;
  });
  if (outcome === null)
    return { retryAfterMs: BUSY_RETRY_MS, spendAttempt: false, reason: 'another reconcile is running' };
  if (!fix && every !== null)
    await enqueueJob(ctx.pool, {
      kind: THRIVECART_RECONCILE_JOB,
      key: SCHEDULED_KEY,
      runAt: ctx.clock.now() + (outcome === 'failed' ? Math.min(every, RETRY_FAILED_MS) : every),
    });
}
