import { latestThriveCartDelivery } from '../../adapters/store/console-stats.ts';
import { crmHealth } from '../../adapters/store/crm-sync-status.ts';
import { usesDemoSecret } from '../../config/demo-secret.ts';
import type { AppContext } from '../context.ts';
import type { CrmSync } from '../crm/crm-sync.ts';
import { diagnoseCrms } from '../crm/doctor.ts';
import type { Sleep } from '../crm/with-patience.ts';
import { checkAccessAlly } from './check-accessally.ts';
import { checkSmtp } from './check-smtp.ts';
import { judgeCrmConnection } from './crm-connection-state.ts';
import type { HealthCheck } from './health-check.ts';
import { loadIntakeHealth } from './intake-health.ts';

/**
 * The console's go-live checklist (Setup). Each item is green only on evidence: a value checked,
 * a delivery that arrived, a round trip that answered as it should. `todo` is something the
 * creator still has to do; `failing` something that is wrong now; `not-configured` a part that is
 * optional and not set up.
 */
export type ChecklistState = 'ok' | 'todo' | 'failing' | 'not-configured';

export interface ChecklistItem {
  title: string;
  state: ChecklistState;
  /** What was found, in plain words (never a secret). */
  found: string;
  /** What to do; null when nothing is to be done. */
  todo: string | null;
}

const item = (title: string, state: ChecklistState, found: string, todo: string | null = null): ChecklistItem => ({
  title,
  state,
  found,
  todo,
});

const FIRST_PURCHASE_TODO =
  'Paste the webhook URL into ThriveCart (Settings → API & Webhooks → Webhooks & notifications → Add webhook) and make a test purchase.';

/**
 * The items read from the configuration and the database alone, with no call to another system:
 * cheap enough for every Overview. `publicUrl` is where ThriveCart is told to post.
 */
export async function offlineChecklist(ctx: AppContext, publicUrl: string, now: number): Promise<ChecklistItem[]> {
  const [intake, latest, crms] = await Promise.all([
    loadIntakeHealth(ctx, now),
    latestThriveCartDelivery(ctx.pool),
    crmHealth(ctx.pool),
  ]);
  const unresolved = intake.refusals.filter((refusal) => !refusal.resolved);
  const refusedFor = (reason: string) => unresolved.find((refusal) => refusal.reason === reason);
  const { account, secret, testMode } = ctx.config.thrivecart;
  const items: ChecklistItem[] = [];

  // First: until ThriveCart's first delivery arrives, it is the next step (the secret word and the
  // public address have no other evidence than that delivery).
  items.push(
    latest
      ? item(
          'First ThriveCart delivery',
          'ok',
          `received; the latest: ${latest.eventName}${latest.live ? '' : ' (test mode)'}`,
        )
      : unresolved.length > 0
        ? item('First ThriveCart delivery', 'failing', 'ThriveCart calls, but they are refused', unresolved[0]!.fix)
        : item(
            'First ThriveCart delivery',
            'todo',
            'none yet (changes by hand and simulated deliveries do not count)',
            FIRST_PURCHASE_TODO,
          ),
  );

  const secretRefusal = refusedFor('secret-mismatch');
  items.push(
    usesDemoSecret({ secret })
      ? item(
          'Secret word',
          'failing',
          'the demo value: anyone who read the example can post purchases',
          'Set THRIVECART_SECRET to your secret word (ThriveCart → Settings → API & Webhooks → ThriveCart API).',
        )
      : secretRefusal
        ? item('Secret word', 'failing', secretRefusal.what, secretRefusal.fix)
        : latest
          ? item('Secret word', 'ok', "not the demo value, and ThriveCart's deliveries carry it")
          : item(
              'Secret word',
              'todo',
              "set and not the demo value; ThriveCart's first delivery confirms it matches",
              FIRST_PURCHASE_TODO,
            ),
  );

  items.push(publicUrlItem(publicUrl, latest !== null));

  items.push(
    testMode === 'process'
      ? item(
          'Test mode',
          'todo',
          'test-mode purchases are processed like real ones (thrivecart.testMode: process)',
          'Set thrivecart.testMode back to ignore before going live.',
        )
      : intake.testMode
        ? item('Test mode', 'todo', intake.testMode.what, intake.testMode.fix)
        : item('Test mode', 'ok', 'test-mode purchases are stored and ignored'),
  );

  const accountRefusal = refusedFor('account-mismatch');
  items.push(
    accountRefusal
      ? item('ThriveCart account', 'failing', accountRefusal.what, accountRefusal.fix)
      : latest
        ? item('ThriveCart account', 'ok', `"${account}", confirmed by ThriveCart's deliveries`)
        : item(
            'ThriveCart account',
            'todo',
            `"${account}" is set; ThriveCart's first delivery confirms it`,
            FIRST_PURCHASE_TODO,
          ),
  );

  if (ctx.config.crm.length === 0) items.push(noCrmItem('CRM sync'));
  for (const crm of ctx.config.crm) {
    const health = crms.find((entry) => entry.connector === crm.name);
    const verdict = health ? judgeCrmConnection(health) : null;
    const title = `Last sync to ${crm.name}`;
    if (!health || !verdict || health.lastSyncedAt === null)
      items.push(item(title, 'todo', 'no contact synced yet', 'It syncs with the first purchase that reaches it.'));
    else if (verdict.tone === 'bad')
      items.push(item(title, 'failing', verdict.problem ?? verdict.label, verdict.fix ?? 'See the Problems page.'));
    else if (verdict.tone === 'warn') items.push(item(title, 'todo', verdict.problem ?? verdict.label, verdict.fix));
    else items.push(item(title, 'ok', `last contact synced ${new Date(health.lastSyncedAt).toISOString()}`));
  }
  return items;
}

/** ok only once a ThriveCart delivery arrived: a public https address in the configuration is no proof that ThriveCart reaches it. */
function publicUrlItem(publicUrl: string, deliveryArrived: boolean): ChecklistItem {
  const title = 'Public https address';
  const url = new URL(publicUrl);
  const local = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol === 'https:' && !local)
    return deliveryArrived
      ? item(title, 'ok', `ThriveCart posts to ${publicUrl}/webhooks/thrivecart`)
      : item(
          title,
          'todo',
          `ThriveCart is to post to ${publicUrl}/webhooks/thrivecart; its first delivery confirms it gets there`,
          FIRST_PURCHASE_TODO,
        );
  return item(
    title,
    'todo',
    `${publicUrl} cannot be reached by ThriveCart${url.protocol === 'https:' ? '' : ' (and is not https)'}`,
    'Put Handoff behind a reverse proxy with TLS and set HANDOFF_PUBLIC_URL (docs/deployment.md).',
  );
}

function noCrmItem(title: string): ChecklistItem {
  return item(
    title,
    'not-configured',
    'no CRM is configured, so tags reach no CRM',
    'Add a crm: entry (README: "CRM and AccessAlly") if your membership site reads tags from a CRM.',
  );
}

/** The items checked by a round trip to another system: each CRM, the SMTP server, AccessAlly. */
export async function liveChecklist(ctx: AppContext, sync: CrmSync, sleep: Sleep): Promise<ChecklistItem[]> {
  const [diagnoses, smtp, accessally] = await Promise.all([
    diagnoseCrms(ctx, sync, sleep),
    ctx.config.mail?.smtp ? checkSmtp(ctx.config) : null,
    checkAccessAlly(ctx),
  ]);
  const items: ChecklistItem[] = diagnoses.map((diagnosis) =>
    diagnosis.ok
      ? item(`CRM round trip: ${diagnosis.name}`, 'ok', `${diagnosis.provider} answered with the configured key`)
      : item(
          `CRM round trip: ${diagnosis.name}`,
          'failing',
          diagnosis.message,
          `Check the ${diagnosis.provider} entry of the configuration (key, account, base URL), then check again.`,
        ),
  );
  if (diagnoses.length === 0) items.push(noCrmItem('CRM round trip'));
  items.push(
    smtp
      ? fromHealthChecks('SMTP', [smtp])
      : item(
          'SMTP',
          'not-configured',
          'mail.smtp is not set: dunning e-mails are written to the log, not sent',
          'Set mail.smtp (SMTP_URL) before going live if you use dunning e-mails.',
        ),
  );
  items.push(
    accessally.length > 0
      ? fromHealthChecks('AccessAlly', accessally)
      : item(
          'AccessAlly',
          'not-configured',
          'no accessally: section',
          'Add one if your membership site is AccessAlly (README: "AccessAlly").',
        ),
  );
  return items;
}

/** One item from a part's doctor checks: its worst finding, or all its findings when every one passed. */
function fromHealthChecks(title: string, checks: HealthCheck[]): ChecklistItem {
  const worst = checks.find((check) => check.status === 'fail') ?? checks.find((check) => check.status === 'warn');
  if (!worst) return item(title, 'ok', checks.map((check) => check.message).join('; '));
  return item(title, worst.status === 'fail' ? 'failing' : 'todo', worst.message, worst.fix ?? null);
}

/** The first failing item, else the first still to do, in checklist order: what Overview suggests next. */
export function nextStep(items: readonly ChecklistItem[]): ChecklistItem | null {
  return items.find((entry) => entry.state === 'failing') ?? items.find((entry) => entry.state === 'todo') ?? null;
}
