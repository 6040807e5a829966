/** Load generation and the statistics the benchmarks report. */
import autocannon from 'autocannon';

export interface LoadResult {
  /** Completed 2xx answers per second. */
  rps: number;
  p50Ms: number;
  p99Ms: number;
  non2xx: number;
  errors: number;
}

export interface LoadOptions {
  url: string;
  connections: number;
  seconds: number;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  /** Called once per request; returns the body (POST) or path (GET) of that request. */
  next: () => string;
  /** Offered load in requests per second; unlimited when absent. */
  overallRate?: number;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    duration: options.seconds,
    method: options.method,
    headers: options.headers,
    ...(options.overallRate === undefined ? {} : { overallRate: options.overallRate }),
    requests: [
      {
        setupRequest: (request) =>
          options.method === 'POST' ? { ...request, body: options.next() } : { ...request, path: options.next() },
      },
    ],
  });
  return {
    rps: round(result['2xx'] / result.duration),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}

/** Runs `work` on `concurrency` loops for `seconds` and reports like autocannon does. */
export async function runLoops(concurrency: number, seconds: number, work: () => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const begun = performance.now();
      await work();
      latencies.push(performance.now() - begun);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const elapsed = (performance.now() - started) / 1000;
  return {
    rps: round(latencies.length / elapsed),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    non2xx: 0,
    errors: 0,
  };
}

/**
 * Equal-length rounds of one load as one result: the mean rate, the median round's p50 and the
 * worst round's p99 (a p99 is not averaged away).
 */
export function combineRounds(rounds: readonly LoadResult[]): LoadResult {
  const sum = (pick: (result: LoadResult) => number) => rounds.reduce((total, result) => total + pick(result), 0);
  return {
    rps: round(sum((result) => result.rps) / rounds.length),
    p50Ms: percentile(
      rounds.map((result) => result.p50Ms),
      50,
    ),
    p99Ms: Math.max(...rounds.map((result) => result.p99Ms)),
    non2xx: sum((result) => result.non2xx),
    errors: sum((result) => result.errors),
  };
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return 0;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return round(sorted[index]!);
}

export function round(value: number, digits = 2): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** Posts one form-encoded ThriveCart delivery and waits for its acknowledgement; anything but 2xx is an error. */
export async function postThriveCartForm(url: string, body: string): Promise<void> {
  const ack = await fetch(`${url}/webhooks/thrivecart`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body,
  });
  await ack.arrayBuffer();
  if (!ack.ok) throw new Error(`purchase answered ${ack.status}`);
}
