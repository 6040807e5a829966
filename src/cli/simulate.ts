import { Argument, Command, Option } from 'commander';
import { loadConfig } from '../config/load-config.ts';
import {
  buildThriveCartFields,
  encodeForm,
  encodeJson,
  SIMULATED_EVENTS,
  type SimulatedEvent,
  type SimulateOptions,
} from '../adapters/sources/thrivecart/build-body.ts';
import { SIMULATED_FIELD, SIMULATED_INSIDE_HANDOFF, SIMULATED_LIVE } from '../adapters/sources/thrivecart/simulated.ts';
import { configPathOf } from './config-path.ts';
import { realSystemsReached } from './simulate-reach.ts';

interface SimulateFlags {
  email: string;
  item: string;
  extraItem?: string[];
  order?: string;
  customer?: string;
  firstName?: string;
  lastName?: string;
  amount?: string;
  refundAmount?: string;
  paidThrough?: string;
  nextPayment?: string;
  remainingRebills?: string;
  recurring?: boolean;
  test?: boolean;
  newEmail?: string;
  json?: boolean;
  url?: string;
  live?: boolean;
}

export function registerSimulateCommand(program: Command): void {
  program
    .command('simulate')
    .description('post a realistic ThriveCart delivery to the running server, signed with the configured secret')
    .addArgument(new Argument('<event>', 'event to send').choices(SIMULATED_EVENTS))
    .requiredOption('--email <email>', "customer's email")
    .option('--item <item>', 'ThriveCart item, e.g. product-12, bump-12, upsell-2', 'product-1')
    .option('--extra-item <item...>', 'more items in the same order (purchase)')
    .option('--order <id>', 'order id (defaults to one derived from the email, so later events find the purchase)')
    .option('--customer <id>', 'ThriveCart customer id')
    .option('--first-name <name>')
    .option('--last-name <name>')
    .option('--amount <cents>', 'amount charged, in cents')
    .option('--refund-amount <cents>', 'refund amount, in cents (default: the full charge)')
    .option('--paid-through <date>', 'cancel: end of the paid period (ISO date)')
    .option('--next-payment <date>', 'renewal: next payment date (ISO date)')
    .option('--remaining-rebills <n>', 'renewal: instalments left on a payment plan')
    .option('--recurring', 'purchase: the item is a subscription')
    .option('--test', 'send as a test-mode event')
    .option('--new-email <email>', 'customer_updated: the new email')
    .option('--json', 'send the JSON encoding instead of the form encoding')
    .option(
      '--live',
      'let it reach the real systems of this configuration (CRMs, AccessAlly, e-mail, webhook endpoints); says which first',
    )
    .addOption(
      new Option('--url <url>', 'webhook URL').default(
        `http://127.0.0.1:${process.env.PORT ?? 3000}/webhooks/thrivecart`,
      ),
    )
    .action(async (event: SimulatedEvent, flags: SimulateFlags, command: Command) => {
      const config = loadConfig(configPathOf(command));
      announceReach(realSystemsReached(config), flags.live === true);
      const options: SimulateOptions = {
        account: config.thrivecart.account,
        secret: config.thrivecart.secret,
        email: flags.email,
        item: flags.item,
        extraItems: flags.extraItem,
        orderId: flags.order,
        customerId: flags.customer,
        // Never a made-up name: the email may be a real customer's, and newer details win.
        firstName: flags.firstName ?? '',
        lastName: flags.lastName ?? '',
        amountCents: flags.amount === undefined ? undefined : Number(flags.amount),
        refundAmountCents: flags.refundAmount === undefined ? undefined : Number(flags.refundAmount),
        occurredAt: new Date(),
        paidThrough: flags.paidThrough === undefined ? undefined : new Date(flags.paidThrough),
        nextPaymentAt: flags.nextPayment === undefined ? undefined : new Date(flags.nextPayment),
        remainingRebills: flags.remainingRebills === undefined ? undefined : Number(flags.remainingRebills),
        recurring: flags.recurring,
        testMode: flags.test,
        newEmail: flags.newEmail,
      };
      const fields = buildThriveCartFields(event, options);
      // Marks the delivery as simulated (kept in the stored body): it never counts as ThriveCart's
      // first real delivery, and without --live the intake keeps its effects inside Handoff.
      fields[SIMULATED_FIELD] = flags.live === true ? SIMULATED_LIVE : SIMULATED_INSIDE_HANDOFF;
      const response = await fetch(flags.url!, {
        method: 'POST',
        headers: { 'content-type': flags.json ? 'application/json' : 'application/x-www-form-urlencoded' },
        body: flags.json ? encodeJson(fields) : encodeForm(fields),
      }).catch((error: unknown) => {
        throw new Error(`Could not reach ${flags.url}: ${(error as Error).message}. Is Handoff running (npm start)?`, {
          cause: error,
        });
      });
      const answer = await response.text();
      console.log(`${response.status} ${answer}`);
      // Handoff took the delivery but did nothing with it (e.g. the address belongs to a real
      // contact): a script running simulations must not read that as done.
      const reason = ignoredReason(answer);
      if (reason !== null) console.error(`Nothing was simulated: ${reason}`);
      if (!response.ok || reason !== null) process.exitCode = 1;
    });
}

/**
 * A simulated delivery never reaches real systems by surprise: without --live it is marked to
 * stay inside Handoff (the console shows what it would do; CRMs, e-mail and webhook endpoints are
 * left alone), and says so; with --live it says what it will reach, then reaches it.
 */
function announceReach(reached: string[], live: boolean): void {
  const list = reached.map((system) => `  - ${system}`).join('\n');
  if (live) {
    console.error(
      reached.length === 0
        ? '--live: nothing outside Handoff is configured, so this simulated delivery reaches nothing else.'
        : `--live: this simulated delivery will reach:\n${list}`,
    );
  } else if (reached.length > 0) {
    console.error(
      `Simulated inside Handoff only: the console shows what this delivery does, and these are left alone:\n${list}\nRun again with --live to reach them.`,
    );
  }
}

/** The reason Handoff gives when it stored a delivery without acting on it, or null. */
function ignoredReason(answer: string): string | null {
  try {
    const parsed = JSON.parse(answer) as { status?: unknown; reason?: unknown };
    return parsed.status === 'ignored' ? String(parsed.reason ?? 'the delivery was ignored') : null;
  } catch {
    return null;
  }
}
