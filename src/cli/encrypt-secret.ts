import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import type { Command } from 'commander';
import { encryptConfigValue } from '../config/encrypted-value.ts';
import { dataFolderKeyPath, secretKeyFromEnvironment } from '../config/secret-key.ts';

export function registerEncryptSecretCommand(program: Command): void {
  program
    .command('encrypt-secret')
    .description(
      'encrypt a secret read from stdin with HANDOFF_SECRET_KEY and print the enc:v1… value to put in the configuration file in its place',
    )
    .action(async () => {
      const key = secretKeyFromEnvironment(process.env);
      if (key === null) {
        console.error(
          'HANDOFF_SECRET_KEY is not set. Create a key once (openssl rand -base64 32), set HANDOFF_SECRET_KEY to it here and wherever Handoff runs, and keep it out of the configuration file and the data folder.',
        );
        process.exitCode = 1;
        return;
      }
      // Read from stdin, never from an argument, so the secret stays out of the shell history and the process list.
      const secret = process.stdin.isTTY ? await readHiddenLine() : await readAll(process.stdin);
      if (secret === null) {
        console.error('Cancelled: nothing was encrypted.');
        process.exitCode = 1;
        return;
      }
      const trimmed = secret.trim();
      if (trimmed === '' || /[\r\n]/.test(trimmed)) {
        console.error(
          trimmed === ''
            ? 'No secret on stdin: nothing was encrypted.'
            : 'The secret spans several lines; give it on one line.',
        );
        process.exitCode = 1;
        return;
      }
      console.log(encryptConfigValue(trimmed, key));
      warnIfDataFolderKeyDiffers(key);
    });
}

/**
 * Without HANDOFF_SECRET_KEY, Handoff sealed the secrets of webhook endpoints added in the
 * console with a key it generated into the data folder; once the variable is set those stop
 * opening, unless it holds that same key.
 */
function warnIfDataFolderKeyDiffers(key: Buffer): void {
  const path = dataFolderKeyPath(resolve(process.env.HANDOFF_DATA_DIR ?? './data'));
  if (!existsSync(path)) return;
  if (Buffer.from(readFileSync(path, 'utf8').trim(), 'base64').equals(key)) return;
  console.error(
    `Note: ${path} holds a different key. The signing secrets of webhook endpoints added in the console are encrypted with it and will not open once HANDOFF_SECRET_KEY is set; use that file's content as HANDOFF_SECRET_KEY instead, and encrypt the secret again with it.`,
  );
}

async function readAll(input: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString('utf8');
}

/** One line typed or pasted at the terminal, not echoed; null on Ctrl-C or Ctrl-D. */
function readHiddenLine(): Promise<string | null> {
  return new Promise((resolveLine) => {
    // readline echoes what is typed to its output; giving it one that discards everything hides the secret.
    const discard = new Writable({ write: (_chunk, _encoding, done) => done() });
    const reader = createInterface({ input: process.stdin, output: discard, terminal: true });
    // Only now is the terminal in raw mode: a prompt shown earlier would let a fast typist (or a
    // paste) be echoed by the terminal itself before readline takes over.
    process.stderr.write('Secret (not shown), then Enter: ');
    let line: string | null = null;
    reader.once('line', (typed) => {
      line = typed;
      reader.close();
    });
    reader.once('SIGINT', () => reader.close());
    reader.once('close', () => {
      process.stderr.write('\n');
      resolveLine(line);
    });
  });
}
