export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue | undefined };

/**
 * Where `value` stops being JSON, as `$.path: reason`, or undefined when it is JSON. JSON.stringify would
 * quietly turn a Date into a string, a Map into `{}` and NaN into null, so that what is read back differs
 * from what was written; the store refuses such values instead. Properties whose value is `undefined` are
 * allowed (they are dropped, as optional fields are).
 */
export function findNonJson(value: unknown, path = '$', seen: Set<object> = new Set()): string | undefined {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      return undefined;
    case 'number':
      return Number.isFinite(value) ? undefined : `${path}: ${value} is not a finite number`;
    case 'object':
      break;
    default:
      return `${path}: ${value === undefined ? 'undefined' : `a ${typeof value}`} is not JSON`;
  }
  if (value === null) return undefined;
  if (seen.has(value)) return `${path}: circular reference`;
  if (Array.isArray(value)) {
    seen.add(value);
    for (let i = 0; i < value.length; i++) {
      const item: unknown = value[i];
      if (item === undefined) return `${path}[${i}]: undefined array item is not JSON`;
      const problem = findNonJson(item, `${path}[${i}]`, seen);
      if (problem !== undefined) return problem;
    }
    seen.delete(value);
    return undefined;
  }
  const proto: unknown = Object.getPrototypeOf(value);
  if (proto !== Object.prototype && proto !== null) {
    const kind = (value as { constructor?: { name?: string } }).constructor?.name ?? 'object';
    return `${path}: a ${kind} is not plain JSON (store dates as ISO strings, maps as objects)`;
  }
  seen.add(value);
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    const problem = findNonJson(item, `${path}.${key}`, seen);
    if (problem !== undefined) return problem;
  }
  seen.delete(value);
  return undefined;
}
