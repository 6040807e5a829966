import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isNode, isScalar, LineCounter, parseDocument, type Document, type Scalar } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from './config-error.ts';
import { DEFAULT_CONFIG_FILE } from './config-file.ts';
import { didYouMean } from './did-you-mean.ts';
import { knownKeysAt } from './known-keys.ts';
import { plainYamlProblem } from './yaml-problem.ts';
import { configValueDecrypter, EncryptedValueError, isEncryptedValue } from './encrypted-value.ts';
import { configSchema, type HandoffConfig } from './schema.ts';
import { holdsSecret } from './secret-settings.ts';

export { ConfigError } from './config-error.ts';

/** `${VAR}` (required) or `${VAR:-fallback}`. */
const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/** Where a secret's value came from (never the value itself), for `handoff check-config`. */
export interface SecretSource {
  /** The key path, e.g. `crm[0].apiKey`. */
  path: string;
  /**
   * `encrypted`: an `enc:` value opened with HANDOFF_SECRET_KEY (written in the file, or held by
   * an environment variable); `environment`: read in plain text from environment variables;
   * `plain`: written in plain text in the file (a `${VAR:-fallback}` fallback included).
   */
  kind: 'encrypted' | 'environment' | 'plain';
  /** The environment variables that supplied the value. */
  variables: string[];
}

export interface LoadedConfig {
  config: HandoffConfig;
  /** Every secret setting and every encrypted value, in file order. */
  secrets: SecretSource[];
}

/**
 * Reads, substitutes, decrypts and validates the configuration file. Throws ConfigError naming
 * the file, the line, the path of the bad key and what was expected.
 */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): HandoffConfig {
  return loadConfigWithSecrets(path, env).config;
}

/** `loadConfig`, also telling where each secret came from. */
export function loadConfigWithSecrets(path: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(
      `${file}: ${reason}. Copy handoff.config.example.yaml to ${DEFAULT_CONFIG_FILE}, or pass --config / HANDOFF_CONFIG.`,
    );
  }
  return parseConfigWithSecrets(text, file, env);
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): HandoffConfig {
  return parseConfigWithSecrets(text, file, env).config;
}

export function parseConfigWithSecrets(text: string, file: string, env: NodeJS.ProcessEnv = process.env): LoadedConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    // The first error is the real one; the parser's later ones are mostly its consequences.
    const error = document.errors[0]!;
    const { line, col } = lineCounter.linePos(error.pos[0]);
    const shown = lineOf(text, line);
    throw new ConfigError(
      `Invalid YAML:\n${file}:${line}:${col}: ${plainYamlProblem(error.code, error.message)}${shown ? `\n  ${line} | ${shown}` : ''}`,
    );
  }
  const problems: string[] = [];
  const secrets = resolveValues(document, env, (path, problem) =>
    problems.push(`${locate(file, document, lineCounter, path)}: ${problem}`),
  );
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n${problems.join('\n')}`);

  const result = configSchema.safeParse(document.toJS() ?? {});
  if (!result.success) {
    throw new ConfigError(
      `Invalid configuration:\n${result.error.issues.map((issue) => describeIssue(file, document, lineCounter, issue)).join('\n')}`,
    );
  }
  return { config: result.data, secrets };
}

/**
 * Replaces every string value by what it stands for: `${VAR}` references are substituted, then an
 * `enc:` value (written in the file or held by a variable) is decrypted. Reports each problem with
 * its key path, and returns where each secret came from.
 */
function resolveValues(
  document: Document,
  env: NodeJS.ProcessEnv,
  onProblem: (path: (string | number)[], problem: string) => void,
): SecretSource[] {
  const decrypt = configValueDecrypter(env);
  const secrets: SecretSource[] = [];
  forEachString(document, (scalar, path) => {
    const { value, variables, unset } = substituteEnvironment(scalar.value, env);
    scalar.value = value;
    if (unset.length > 0) {
      for (const variable of unset) onProblem(path, `environment variable ${variable} is not set`);
      return;
    }
    const dotted = dottedPath(path);
    if (isEncryptedValue(value)) {
      try {
        scalar.value = decrypt(value);
      } catch (error) {
        if (!(error instanceof EncryptedValueError)) throw error;
        onProblem(path, error.message);
        return;
      }
      secrets.push({ path: dotted, kind: 'encrypted', variables });
    } else if (value !== '' && holdsSecret(dotted, value)) {
      secrets.push({ path: dotted, kind: variables.length > 0 ? 'environment' : 'plain', variables });
    }
  });
  return secrets;
}

/** `text` with its `${VAR}` references replaced; `variables` supplied a value, `unset` are required but not set. */
function substituteEnvironment(
  text: string,
  env: NodeJS.ProcessEnv,
): { value: string; variables: string[]; unset: string[] } {
  const variables: string[] = [];
  const unset: string[] = [];
  const value = text.replace(ENV_REFERENCE, (_match, variable: string, fallback: string | undefined) => {
    const fromEnv = env[variable];
    if (fromEnv !== undefined && fromEnv !== '') {
      variables.push(variable);
      return fromEnv;
    }
    if (fallback !== undefined) return fallback;
    unset.push(variable);
    return '';
  });
  return { value, variables, unset };
}

/** Calls `visit` with every string scalar of the document and its key path. */
function forEachString(document: Document, visit: (scalar: Scalar<string>, path: (string | number)[]) => void): void {
  const walk = (node: unknown, path: (string | number)[]): void => {
    if (isScalar(node)) {
      if (typeof node.value === 'string') visit(node as Scalar<string>, path);
      return;
    }
    if (isNode(node) && 'items' in node && Array.isArray(node.items)) {
      node.items.forEach((entry: unknown, index: number) => {
        if (entry && typeof entry === 'object' && 'key' in entry && 'value' in entry) {
          const key = isScalar(entry.key) ? String(entry.key.value) : String(index);
          walk(entry.value, [...path, key]);
        } else {
          walk(entry, [...path, index]);
        }
      });
    }
  };
  walk(document.contents, []);
}

function describeIssue(file: string, document: Document, lineCounter: LineCounter, issue: z.core.$ZodIssue): string {
  const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  const detail =
    issue.code === 'unrecognized_keys'
      ? `unknown key(s) ${issue.keys.map((key) => `"${key}"${didYouMean(key, knownKeysAt(configSchema, path))}`).join(', ')}`
      : issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
        ? `missing; expected ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a group of keys' : `a ${issue.expected}`}`
        : issue.message;
  return `${locate(file, document, lineCounter, path)}: ${detail}`;
}

/** Line `line` (1-based) of `text`, tabs shown as →, or null when past the end. */
function lineOf(text: string, line: number): string | null {
  const found = text.split(/\r?\n/)[line - 1];
  return found === undefined ? null : found.replace(/\t/g, '→');
}

/** `thrivecart.secret`, `crm[0].apiKey`. */
function dottedPath(path: (string | number)[]): string {
  return path.reduce<string>(
    (text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment),
    '',
  );
}

/** `file:line: path.to[0].key`, pointing at the closest node that exists. */
function locate(file: string, document: Document, lineCounter: LineCounter, path: (string | number)[]): string {
  const dotted = dottedPath(path);
  for (let length = path.length; length >= 0; length -= 1) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) {
      const { line } = lineCounter.linePos(node.range[0]);
      return `${file}:${line}: ${dotted || '(top level)'}`;
    }
  }
  return `${file}: ${dotted || '(top level)'}`;
}
