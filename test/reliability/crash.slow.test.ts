import { describe, it } from 'vitest';
import { runCrashScenario } from './support/crash-scenario.ts';

describe('crash during a burst', () => {
  it('10,000 purchases and 1,000 failed payments (each reported twice) at 250/s, SIGKILL at 20/50/80%: every acknowledged delivery is stored and applied once, no job stuck, each failed payment gets its reminder e-mail once (twice at most if a kill caught it in flight)', async () => {
    await runCrashScenario({
      purchases: 10_000,
      ratePerSecond: 250,
      killAt: [0.2, 0.5, 0.8],
      withEmail: { failedPayments: 1_000 },
    });
  }, 900_000);
});
