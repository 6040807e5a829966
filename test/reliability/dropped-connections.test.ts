import { describe, it } from 'vitest';
import { runDroppedConnectionsScenario } from './support/dropped-connections-scenario.ts';

describe('database connections dropped during a burst (fast variant)', () => {
  it('300 purchases and 100 failed payments (each reported twice) at 200/s, every session of the database terminated 3 times: the process survives, has what was in flight retried, stores and applies every delivery once, and takes new deliveries', async () => {
    await runDroppedConnectionsScenario({
      purchases: 300,
      failedPayments: 100,
      ratePerSecond: 200,
      dropsAt: [0.2, 0.5, 0.8],
    });
  }, 180_000);
});
