/**
 * The keys a configuration schema accepts at a path, read from the zod schema itself so a "did you
 * mean" never drifts from what is valid. Walks zod v4's schema definitions (`_zod.def`).
 */
interface SchemaDef {
  type: string;
  shape?: Record<string, unknown>;
  innerType?: unknown;
  in?: unknown;
  element?: unknown;
  valueType?: unknown;
  options?: unknown[];
  left?: unknown;
  right?: unknown;
}

function defOf(schema: unknown): SchemaDef | null {
  const def = (schema as { _zod?: { def?: SchemaDef } } | null)?._zod?.def;
  return def ?? null;
}

/** The object schemas a value at `path` may be validated against (several under a union). */
function objectsAt(schema: unknown, path: readonly (string | number)[]): SchemaDef[] {
  const def = defOf(schema);
  if (def === null) return [];
  switch (def.type) {
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'catch':
    case 'readonly':
    case 'nonoptional':
      return objectsAt(def.innerType, path);
    case 'pipe':
      return objectsAt(def.in, path);
    case 'union':
      return (def.options ?? []).flatMap((option) => objectsAt(option, path));
    case 'intersection':
      return [...objectsAt(def.left, path), ...objectsAt(def.right, path)];
  }
  if (path.length === 0) return def.type === 'object' ? [def] : [];
  const [head, ...rest] = path;
  if (def.type === 'object')
    return def.shape && typeof head === 'string' && head in def.shape ? objectsAt(def.shape[head], rest) : [];
  if (def.type === 'array') return objectsAt(def.element, rest);
  if (def.type === 'record') return objectsAt(def.valueType, rest);
  return [];
}

export function knownKeysAt(schema: unknown, path: readonly (string | number)[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((def) => Object.keys(def.shape ?? {})))];
}
