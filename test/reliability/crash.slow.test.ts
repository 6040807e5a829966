import { describe, it } from 'vitest';
import { runCrashScenario } from './support/crash-scenario.ts';

describe('crash during a burst', () => {
  it('10,000 purchases at 250/s, SIGKILL at 20/50/80%: every acknowledged purchase is stored and applied once, no job stuck', async () => {
    await runCrashScenario({ deliveries: 10_000, ratePerSecond: 250, killAt: [0.2, 0.5, 0.8] });
  }, 900_000);
});
