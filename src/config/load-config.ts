import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { isNode, isScalar, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { configSchema, type HandoffConfig } from './schema.ts';

/** A configuration problem, worded for the person who wrote the file. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

export const DEFAULT_CONFIG_FILE = 'handoff.config.yaml';

/** `${VAR}` (required) or `${VAR:-fallback}`. */
const ENV_REFERENCE = /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

/**
 * Reads, substitutes and validates the configuration file. Throws ConfigError naming the file,
 * the line, the path of the bad key and what was expected.
 */
export function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): HandoffConfig {
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'ENOENT' ? 'file not found' : (error as Error).message;
    throw new ConfigError(`${file}: ${reason}. Copy handoff.config.example.yaml to ${DEFAULT_CONFIG_FILE}, or pass --config / HANDOFF_CONFIG.`);
  }
  return parseConfig(text, file, env);
}

export function parseConfig(text: string, file: string, env: NodeJS.ProcessEnv = process.env): HandoffConfig {
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (document.errors.length > 0) {
    const problems = document.errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      return `${file}:${line}:${col}: ${error.message.split('\n')[0]}`;
    });
    throw new ConfigError(`Invalid YAML:\n${problems.join('\n')}`);
  }
  const missing: string[] = [];
  substituteEnvironment(document, env, (variable, path) => missing.push(`${locate(file, document, lineCounter, path)}: environment variable ${variable} is not set`));
  if (missing.length > 0) throw new ConfigError(`Invalid configuration:\n${missing.join('\n')}`);

  const result = configSchema.safeParse(document.toJS() ?? {});
  if (!result.success) {
    throw new ConfigError(`Invalid configuration:\n${result.error.issues.map((issue) => describeIssue(file, document, lineCounter, issue)).join('\n')}`);
  }
  return result.data;
}

function substituteEnvironment(document: Document, env: NodeJS.ProcessEnv, onMissing: (variable: string, path: (string | number)[]) => void): void {
  const visit = (node: unknown, path: (string | number)[]): void => {
    if (isScalar(node)) {
      if (typeof node.value === 'string' && node.value.includes('${')) {
        node.value = node.value.replace(ENV_REFERENCE, (_match, variable: string, fallback: string | undefined) => {
          const value = env[variable];
          if (value !== undefined && value !== '') return value;
          if (fallback !== undefined) return fallback;
          onMissing(variable, path);
          return '';
        });
      }
      return;
    }
    if (isNode(node) && 'items' in node && Array.isArray(node.items)) {
      node.items.forEach((entry: unknown, index: number) => {
        if (entry && typeof entry === 'object' && 'key' in entry && 'value' in entry) {
          const key = isScalar(entry.key) ? String(entry.key.value) : String(index);
          visit(entry.value, [...path, key]);
        } else {
          visit(entry, [...path, index]);
        }
      });
    }
  };
  visit(document.contents, []);
}

function describeIssue(file: string, document: Document, lineCounter: LineCounter, issue: z.core.$ZodIssue): string {
  const path = issue.path.map((segment) => (typeof segment === 'symbol' ? String(segment) : segment));
  const detail =
    issue.code === 'unrecognized_keys'
      ? `unknown key(s) ${issue.keys.map((key) => `"${key}"`).join(', ')}`
      : issue.code === 'invalid_type' && issue.message.endsWith('received undefined')
        ? `missing; expected ${issue.expected === 'array' ? 'a list' : issue.expected === 'object' ? 'a group of keys' : `a ${issue.expected}`}`
        : issue.message;
  return `${locate(file, document, lineCounter, path)}: ${detail}`;
}

/** `file:line: path.to[0].key`, pointing at the closest node that exists. */
function locate(file: string, document: Document, lineCounter: LineCounter, path: (string | number)[]): string {
  const dotted = path.reduce<string>((text, segment) => (typeof segment === 'number' ? `${text}[${segment}]` : text ? `${text}.${segment}` : segment), '');
  for (let length = path.length; length >= 0; length -= 1) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) {
      const { line } = lineCounter.linePos(node.range[0]);
      return `${file}:${line}: ${dotted || '(top level)'}`;
    }
  }
  return `${file}: ${dotted || '(top level)'}`;
}
