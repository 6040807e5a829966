import { describe, it } from 'vitest';
import { runDroppedConnectionsScenario } from './support/dropped-connections-scenario.ts';

describe('database connections dropped during a burst', () => {
  it('3,000 purchases and 1,000 failed payments (each reported twice) at 300/s, every session of the database terminated 8 times: the process survives, has what was in flight retried, stores and applies every delivery once, and takes new deliveries', async () => {
    await runDroppedConnectionsScenario({
      purchases: 3_000,
      failedPayments: 1_000,
      ratePerSecond: 300,
      dropsAt: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8],
    });
  }, 600_000);
});
