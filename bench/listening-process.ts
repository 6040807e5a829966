/** The bench's own servers (the access baseline, the HTTP floor), each a process of its own like Handoff. */
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * Starts `node <args>` and resolves once it prints its first line (it prints one when it listens);
 * rejects if it exits first. Its stderr goes to the bench's, so a failure says why.
 */
export async function startListeningProcess(args: readonly string[], what: string): Promise<ChildProcess> {
  const server = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      server.stdout.once('data', () => resolve());
      server.once('exit', (code) => reject(new Error(`${what} exited (${String(code)})`)));
    });
  } catch (error) {
    server.kill('SIGTERM');
    throw error;
  }
  return server;
}
