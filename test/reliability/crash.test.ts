import { describe, it } from 'vitest';
import { runCrashScenario } from './support/crash-scenario.ts';

describe('crash during a burst (fast variant)', () => {
  it('300 purchases and 100 failed payments (each reported twice) at 200/s, SIGKILL once halfway: every acknowledged delivery is stored and applied once, each buyer reaches the CRM once, each failed payment gets its reminder e-mail once (twice at most if the kill caught it in flight)', async () => {
    await runCrashScenario({
      purchases: 300,
      ratePerSecond: 200,
      killAt: [0.5],
      withCrm: true,
      withEmail: { failedPayments: 100 },
    });
  }, 180_000);
});
