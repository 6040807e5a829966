import { latestThriveCartDelivery } from '../../adapters/store/console-stats.ts';
import { usesDemoSecret } from '../../config/demo-secret.ts';
import type { AppContext } from '../context.ts';
import { fail, ok, warn, type HealthCheck } from './health-check.ts';
import { loadIntakeHealth } from './intake-health.ts';

const PART = 'ThriveCart';

/**
 * What can be known about ThriveCart's side without its API: the secret word is not the demo one,
 * test purchases are handled as meant, no call was refused lately
 * (and why), and a delivery has arrived.
 */
export async function checkThriveCart(ctx: AppContext, now: number): Promise<HealthCheck[]> {
  const { account, secret, testMode } = ctx.config.thrivecart;
  const checks: HealthCheck[] = [];
  if (usesDemoSecret({ secret })) {
    checks.push(
      fail(
        PART,
        'the secret word is the demo value, so anyone who read the example can post purchases',
        'Set THRIVECART_SECRET (or thrivecart.secret) to your secret word: ThriveCart → Settings → API & Webhooks → ThriveCart API → Secret word.',
      ),
    );
  } else {
    checks.push(ok(PART, 'the secret word is set (not the demo value)'));
  }
  // The configuration keeps only a bare account name (config/schema.ts), so it is shown, not judged.
  checks.push(ok(PART, `account "${account}"`));
  checks.push(
    testMode === 'process'
      ? warn(
          PART,
          'test-mode purchases are processed like real ones (thrivecart.testMode: process)',
          'Set testMode back to ignore before going live.',
        )
      : ok(PART, 'test-mode purchases are stored and ignored'),
  );

  const intake = await loadIntakeHealth(ctx, now);
  for (const refusal of intake.refusals)
    checks.push(
      refusal.resolved
        ? warn(PART, refusal.what, refusal.fix)
        : fail(PART, `refused this week: ${refusal.what}`, refusal.fix),
    );
  if (intake.refusals.length === 0) checks.push(ok(PART, 'no call was refused this week'));
  if (intake.testMode) checks.push(warn(PART, intake.testMode.what, intake.testMode.fix));

  const latest = await latestThriveCartDelivery(ctx.pool);
  checks.push(
    latest === null
      ? warn(
          PART,
          'no delivery from ThriveCart has arrived yet',
          'Paste the webhook URL into ThriveCart (Settings → API & Webhooks → Webhooks & notifications) and make a test purchase.',
        )
      : ok(PART, `last delivery ${new Date(latest.receivedAt).toISOString()} (${latest.eventName})`),
  );
  return checks;
}
