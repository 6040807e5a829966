import { dunningCases, jobQueueAge, jobQueueDepth, metricsRegistry } from '../../adapters/metrics/metrics.ts';
import { readMetricGauges } from '../../adapters/store/metric-gauges.ts';
import type { AppContext } from '../context.ts';

/** Reads the database-wide gauges and renders every metric in Prometheus' text format. */
export async function scrapeMetrics(ctx: AppContext): Promise<{ contentType: string; body: string }> {
  const gauges = await readMetricGauges(ctx.pool, ctx.clock.now());
  jobQueueDepth.reset();
  for (const row of gauges.jobs) jobQueueDepth.set({ kind: row.kind, state: row.state }, row.count);
  jobQueueAge.reset();
  for (const row of gauges.dueJobAges) jobQueueAge.set({ kind: row.kind }, row.seconds);
  dunningCases.reset();
  for (const row of gauges.dunningCases) dunningCases.set({ state: row.state }, row.count);
  return { contentType: metricsRegistry.contentType, body: await metricsRegistry.metrics() };
}
