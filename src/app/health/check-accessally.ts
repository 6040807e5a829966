import { probeWordPress } from '../../adapters/accessally/probe-wordpress.ts';
import { jobKindHealth } from '../../adapters/store/job-health.ts';
import { ACCESSALLY_NOTIFY_JOB } from '../crm/notify-accessally.ts';
import type { AppContext } from '../context.ts';
import { fail, ok, warn, type HealthCheck } from './health-check.ts';

const PART = 'AccessAlly';

/** AccessAlly's webhook commands (kb.accessally.com, "Webhook / HTTP post commands"). */
const OPERATION = /aal_(updateuser|genpass|batchsync|fieldop)/;

/**
 * AccessAlly's webhook URLs: each names an AccessAlly command, its site answers like WordPress, and
 * the recent calls Handoff made to it did not give up.
 */
export async function checkAccessAlly(ctx: AppContext): Promise<HealthCheck[]> {
  const accessally = ctx.config.accessally;
  if (!accessally) return [];
  const urls = [{ key: 'webhookUrl', url: accessally.webhookUrl, command: 'aal_updateuser' }];
  if (accessally.newUserWebhookUrl)
    urls.push({ key: 'newUserWebhookUrl', url: accessally.newUserWebhookUrl, command: 'aal_genpass' });
  const checks = (await Promise.all(urls.map((entry) => checkWebhookUrl(entry.key, entry.url, entry.command)))).flat();
  const { dead, lastError } = await jobKindHealth(ctx.pool, ACCESSALLY_NOTIFY_JOB);
  if (dead > 0)
    checks.push(
      fail(
        PART,
        `${dead === 1 ? '1 call' : `${dead} calls`} to AccessAlly gave up: ${lastError ?? ''}`,
        'Fix what the error says, then Retry on the Problems page (or npx handoff retry all).',
      ),
    );
  return checks;
}

async function checkWebhookUrl(key: string, url: string, command: string): Promise<HealthCheck[]> {
  const checks: HealthCheck[] = [];
  const copyIt = `Copy the webhook URL from AccessAlly → General Settings → Initial Setup, with [operation] replaced by ${command}, into accessally.${key}.`;
  if (!OPERATION.test(url))
    checks.push(fail(PART, `accessally.${key} names no AccessAlly command (${command})`, copyIt));
  const probe = await probeWordPress(url);
  const origin = new URL(url).origin;
  switch (probe.kind) {
    case 'wordpress':
      checks.push(ok(PART, `${origin} (accessally.${key}) answers like a WordPress site`));
      break;
    case 'restricted':
      checks.push(
        warn(
          PART,
          `${origin} answers, but its WordPress REST index is closed to visitors (HTTP ${probe.status}), so Handoff cannot confirm the site`,
          "Check Handoff's first calls in AccessAlly → Settings → Developer Tools → Detailed Log.",
        ),
      );
      break;
    case 'not-wordpress':
      checks.push(fail(PART, `the site of accessally.${key} does not answer like WordPress: ${probe.detail}`, copyIt));
      break;
    case 'unreachable':
      checks.push(
        fail(
          PART,
          probe.detail,
          `Check the address in accessally.${key} and that the site is up and reachable from this server.`,
        ),
      );
      break;
  }
  return checks;
}
