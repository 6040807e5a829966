import { createInterface } from 'node:readline/promises';
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
import { SIMULATED_FIELD } from '../adapters/sources/thrivecart/simulated.ts';
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
      'send it even though this configuration reaches real systems (CRMs, AccessAlly, e-mail, webhook endpoints); says which',
    )
    .addOption(
      new Option('--url <url>', 'webhook URL').default(
        `http://127.0.0.1:${process.env.PORT ?? 3000}/webhooks/thrivecart`,
      ),
    )
    .action(async (event: SimulatedEvent, flags: SimulateFlags, command: Command) => {
      const config = loadConfig(configPathOf(command));
      if (!(await mayReachRealSystems(realSystemsReached(config), flags.live === true))) {
        process.exitCode = 1;
        return;
      }
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
      // Marks the delivery as simulated (kept in the stored body), so it never counts as ThriveCart's first real delivery.
      fields[SIMULATED_FIELD] = '1';
      const response = await fetch(flags.url!, {
        method: 'POST',
        headers: { 'content-type': flags.json ? 'application/json' : 'application/x-www-form-urlencoded' },
        body: flags.json ? encodeJson(fields) : encodeForm(fields),
      }).catch((error: unknown) => {
        throw new Error(`Could not reach ${flags.url}: ${(error as Error).message}. Is Handoff running (npm start)?`, {
          cause: error,
        });
      });
      console.log(`${response.status} ${await response.text()}`);
      if (!response.ok) process.exitCode = 1;
    });
}

/**
 * A simulated purchase must not reach real systems by surprise. Without --live: nothing real is
 * configured, go on; at a terminal, ask; otherwise refuse and say why. With --live: say what it reaches.
 */
async function mayReachRealSystems(reached: string[], live: boolean): Promise<boolean> {
  if (reached.length === 0) return true;
  const list = reached.map((system) => `  - ${system}`).join('\n');
  if (live) {
    console.error(`--live: this simulated delivery will reach:\n${list}`);
    return true;
  }
  const warning = `This Handoff is connected to real systems; a simulated delivery would reach:\n${list}`;
  if (!process.stdin.isTTY) {
    console.error(
      `${warning}\nNothing was sent. Run again with --live to send it anyway, or try it with a configuration without them.`,
    );
    return false;
  }
  const prompt = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await prompt.question(`${warning}\nSend it anyway? [y/N] `);
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    prompt.close();
  }
}
