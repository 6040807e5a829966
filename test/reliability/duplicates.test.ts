import { describe, it } from 'vitest';
import { runDuplicatesScenario } from './support/duplicates-scenario.ts';

describe('duplicate deliveries (fast variant)', () => {
  it('100 deliveries, each sent 3× in sequence and 3× at once: 100 stored, each applied once', async () => {
    await runDuplicatesScenario(100);
  }, 120_000);
});
