import { describe, it } from 'vitest';
import { runDuplicatesScenario } from './support/duplicates-scenario.ts';

describe('duplicate deliveries', () => {
  it('1,000 deliveries, each sent 3× in sequence and 3× at once: 1,000 stored, each applied once', async () => {
    await runDuplicatesScenario(1_000);
  }, 600_000);
});
