import type { Command } from 'commander';
import { listProblems, type Problems } from '../app/crm/problems.ts';
import { openRuntime } from '../main.ts';
import { configPathOf } from './config-path.ts';

export function registerProblemsCommand(program: Command): void {
  program
    .command('problems')
    .alias('jobs')
    .description(
      'list dead-lettered jobs, paused CRM connectors, deliveries Handoff could not use and items the configuration does not map',
    )
    .option('--json', 'print JSON (the API shape) instead of text')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const runtime = await openRuntime({ configPath: configPathOf(command) });
      try {
        const problems = await listProblems(runtime.ctx);
        if (flags.json) {
          console.log(JSON.stringify(problems, null, 2));
          return;
        }
        if (
          problems.pausedConnectors.length === 0 &&
          problems.deadJobs.length === 0 &&
          problems.rejectedDeliveries.length === 0 &&
          problems.unmappedItems.length === 0 &&
          problems.silentSubscriptions.length === 0 &&
          problems.reconcile === null
        ) {
          console.log(
            'No problems: no dead-lettered jobs, no paused CRM connectors, no unusable deliveries, no unmapped items.',
          );
          return;
        }
        printDeliveryProblems(problems);
        for (const connector of problems.pausedConnectors) {
          const since = connector.pausedSince === null ? '' : ` since ${new Date(connector.pausedSince).toISOString()}`;
          console.log(`PAUSED ${connector.connector}${since}: ${connector.pausedReason ?? 'credentials refused'}`);
          console.log(
            '  Its jobs are held, not failed. Fix the credentials in the config and restart, or run `handoff doctor`.',
          );
        }
        if (problems.deadJobs.length > 0)
          console.log(
            `${problems.deadJobs.length} dead-lettered job(s); retry with \`handoff retry <id>\` or \`handoff retry all\`:`,
          );
        for (const job of problems.deadJobs) {
          console.log(
            `  #${job.id} ${job.kind} ${job.key} (${job.attempts} attempt(s), ${new Date(job.diedAt).toISOString()}): ${job.lastError ?? '(no cause recorded)'}`,
          );
        }
      } finally {
        await runtime.close();
      }
    });
}

function printDeliveryProblems(problems: Problems): void {
  if (problems.rejectedDeliveries.length > 0) {
    console.log(
      `${problems.rejectedDeliveries.length} ThriveCart delivery(ies) could not be used; once the cause is fixed, \`handoff replay\` applies them:`,
    );
  }
  for (const delivery of problems.rejectedDeliveries) {
    console.log(
      `  delivery ${delivery.deliveryId} ${delivery.eventName} (${new Date(delivery.receivedAt).toISOString()}): ${delivery.reason}`,
    );
  }
  for (const silent of problems.silentSubscriptions) console.log(`  ${silent.message}`);
  const { reconcile } = problems;
  if (reconcile !== null) {
    console.log(
      reconcile.error === null
        ? `The reconcile with ThriveCart of ${new Date(reconcile.checkedAt).toISOString()} found ${reconcile.findings.length} thing(s) no webhook told Handoff:`
        : `The reconcile with ThriveCart of ${new Date(reconcile.checkedAt).toISOString()} stopped: ${reconcile.error}`,
    );
    for (const finding of reconcile.findings) console.log(`  ${finding.email}: ${finding.summary}`);
    console.log(`  ${reconcile.fix}`);
  }
  if (problems.unmappedItems.length > 0)
    console.log(
      'Items sold that the configuration does not map (their buyers got nothing for them); add under items: and run `handoff replay`:',
    );
  for (const item of problems.unmappedItems) {
    console.log(`  ${item.item} "${item.name}" in ${item.orders} order(s), latest ${item.latestOrderId}`);
    console.log(`    ${item.configLine}`);
  }
}
