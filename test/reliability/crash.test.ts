import { describe, it } from 'vitest';
import { runCrashScenario } from './support/crash-scenario.ts';

describe('crash during a burst (fast variant)', () => {
  it('300 purchases at 200/s, SIGKILL once halfway: every acknowledged purchase is stored and applied once, and reaches the CRM once', async () => {
    await runCrashScenario({ deliveries: 300, ratePerSecond: 200, killAt: [0.5], withCrm: true });
  }, 180_000);
});
