import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * Prometheus metrics of this process. Counters and histograms are fed where things happen;
 * gauges that describe the database (queue depth, dunning cases) are read at scrape time, so
 * every process sharing a database reports the same truth.
 */
export const metricsRegistry = new Registry();

export const deliveriesReceived = new Counter({
  name: 'handoff_deliveries_total',
  help: 'ThriveCart deliveries received, by event and outcome (applied, ignored, failed, rejected, duplicate, unauthorized, malformed).',
  labelNames: ['event', 'status'] as const,
  registers: [metricsRegistry],
});

export const deliveryApplySeconds = new Histogram({
  name: 'handoff_delivery_apply_seconds',
  help: 'Time from receiving a ThriveCart delivery to answering it (verify, store, apply, commit).',
  buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
  registers: [metricsRegistry],
});

export const crmRequests = new Counter({
  name: 'handoff_crm_requests_total',
  help: 'Calls to CRM APIs, by provider and HTTP status (or "network" when no answer came).',
  labelNames: ['provider', 'status'] as const,
  registers: [metricsRegistry],
});

export const jobQueueDepth = new Gauge({
  name: 'handoff_jobs',
  help: 'Jobs by kind and state (pending, running, dead).',
  labelNames: ['kind', 'state'] as const,
  registers: [metricsRegistry],
});

export const jobQueueAge = new Gauge({
  name: 'handoff_jobs_oldest_due_seconds',
  help: 'How long the oldest due pending job of each kind has been waiting.',
  labelNames: ['kind'] as const,
  registers: [metricsRegistry],
});

export const dunningCases = new Gauge({
  name: 'handoff_dunning_cases',
  help: 'Dunning cases by state.',
  labelNames: ['state'] as const,
  registers: [metricsRegistry],
});
