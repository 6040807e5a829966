import type { SpawnedHandoff } from '../test/reliability/support/spawned-handoff.ts';

/**
 * Runs `work` against a started Handoff. When it throws, prints Handoff's output (the only record of
 * why it failed); however it ends, stops Handoff and then runs `cleanUp`.
 */
export async function usingHandoff<T>(
  server: SpawnedHandoff,
  work: () => Promise<T>,
  cleanUp: () => Promise<void>,
): Promise<T> {
  try {
    return await work();
  } catch (error) {
    console.error(error, `\nHandoff's output:\n${server.output()}`);
    throw error;
  } finally {
    await server.stop();
    await cleanUp();
  }
}
