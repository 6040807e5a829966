import { describe, it } from 'vitest';
import { runOrderScenario } from './support/order-scenario.ts';

describe('out-of-order delivery through the intake (fast variant)', () => {
  it('40 random arrival orders of one subscription history end in the state of the ordered history', async () => {
    await runOrderScenario(40);
  }, 120_000);
});
