import type { z } from 'zod';
import type { Problem, ProblemCode } from './problems.js';
import type { DocPath, SourceDocument, SourcePosition } from './source-document.js';

/** Where a problem goes: which pair, which field (as shown to the user) and which path (for the position). */
export interface ProblemTarget {
  pairId?: string;
  field?: string;
  /** Path inside the document, used to find line and column. */
  path?: DocPath;
}

/**
 * Collects problems for one file, adding line and column from the parsed document when it has them.
 * Every loader funnels through this so that each problem carries the same kind of location.
 */
export class ProblemCollector {
  readonly problems: Problem[] = [];

  add(
    file: string,
    code: ProblemCode,
    message: string,
    target: ProblemTarget = {},
    doc?: Pick<SourceDocument, 'locate'>,
  ): void {
    const position: SourcePosition | undefined =
      doc && target.path !== undefined ? doc.locate(target.path) : undefined;
    this.addAt(file, code, message, target, position);
  }

  addAt(
    file: string,
    code: ProblemCode,
    message: string,
    target: ProblemTarget,
    position?: SourcePosition,
  ): void {
    this.problems.push({
      file,
      ...(target.pairId === undefined ? {} : { pairId: target.pairId }),
      ...(target.field === undefined ? {} : { field: target.field }),
      ...(position ? { line: position.line, column: position.column } : {}),
      message,
      code,
    });
  }
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `images[0].answer`, `category_1[2]`, `["train/…/ROCO_1.jpg"].local`: a path as a reader would write it. */
export function formatField(fieldPath: readonly PropertyKey[]): string {
  let out = '';
  for (const segment of fieldPath) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (typeof segment === 'string' && IDENTIFIER.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}

/** The raw value at `path` (undefined when any step is missing). */
export function valueAt(value: unknown, fieldPath: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of fieldPath) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/** A short description of a value for messages: `"C"`, `42`, `a list`, `an object`, `null`. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') {
    const shown = value.length > 40 ? `${value.slice(0, 40)}…` : value;
    return JSON.stringify(shown);
  }
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  tuple: 'a list',
  record: 'an object',
};

function isPrefix(prefix: readonly PropertyKey[], of: readonly PropertyKey[]): boolean {
  return prefix.length <= of.length && prefix.every((segment, i) => segment === of[i]);
}

/** True when no zod issue touches `path`, its ancestors or its descendants: the raw value there is as declared. */
export function isValidAt(issues: readonly z.core.$ZodIssue[], fieldPath: readonly PropertyKey[]): boolean {
  return !issues.some((issue) => {
    // An unknown key is a fault of that key alone, not of the object holding it.
    const paths =
      issue.code === 'unrecognized_keys' ? issue.keys.map((key) => [...issue.path, key]) : [issue.path];
    return paths.some((p) => isPrefix(p, fieldPath) || isPrefix(fieldPath, p));
  });
}

/** Turns zod issues for one value into problems naming pair, field and position. */
export function reportZodIssues(
  collector: ProblemCollector,
  doc: SourceDocument,
  issues: readonly z.core.$ZodIssue[],
  options: {
    /** The validated value, to describe what was found. */
    input: unknown;
    /** Path of the validated value inside the document. */
    basePath: DocPath;
    pairId?: string;
    /** Prepended to the issue path when naming the field (for values that are not pairs). */
    fieldPrefix?: readonly PropertyKey[];
  },
): void {
  const target = (issuePath: readonly PropertyKey[]): ProblemTarget => {
    const fieldPath = [...(options.fieldPrefix ?? []), ...issuePath];
    const docPath = [
      ...options.basePath,
      ...issuePath.filter((s): s is string | number => typeof s !== 'symbol'),
    ];
    return {
      ...(options.pairId === undefined ? {} : { pairId: options.pairId }),
      ...(fieldPath.length ? { field: formatField(fieldPath) } : {}),
      path: docPath,
    };
  };
  for (const issue of issues) {
    const found = valueAt(options.input, issue.path);
    switch (issue.code) {
      case 'invalid_type': {
        if (found === undefined) {
          collector.add(doc.file, 'FIELD_MISSING', 'required field is missing', target(issue.path), doc);
        } else {
          const expected = TYPE_NAMES[issue.expected] ?? issue.expected;
          collector.add(
            doc.file,
            'FIELD_TYPE',
            `expected ${expected}, got ${describeValue(found)}`,
            target(issue.path),
            doc,
          );
        }
        break;
      }
      case 'invalid_union': {
        const expected = [
          ...new Set(
            issue.errors.flatMap((branch) =>
              branch.flatMap((inner) =>
                inner.code === 'invalid_type' ? [TYPE_NAMES[inner.expected] ?? inner.expected] : [],
              ),
            ),
          ),
        ];
        if (found === undefined) {
          collector.add(doc.file, 'FIELD_MISSING', 'required field is missing', target(issue.path), doc);
        } else {
          const what = expected.length ? `expected ${expected.join(' or ')}` : issue.message;
          collector.add(
            doc.file,
            'FIELD_TYPE',
            `${what}, got ${describeValue(found)}`,
            target(issue.path),
            doc,
          );
        }
        break;
      }
      case 'too_small': {
        if (issue.origin === 'string') {
          collector.add(doc.file, 'TEXT_EMPTY', 'must not be empty', target(issue.path), doc);
        } else if (issue.origin === 'array' || issue.origin === 'set') {
          const count = Number(issue.minimum);
          const items = `${count} item${count === 1 ? '' : 's'}`;
          const message = issue.exact ? `must have exactly ${items}` : `must have at least ${items}`;
          collector.add(doc.file, 'FIELD_INVALID', message, target(issue.path), doc);
        } else {
          collector.add(
            doc.file,
            'FIELD_INVALID',
            `must be at least ${String(issue.minimum)}, got ${describeValue(found)}`,
            target(issue.path),
            doc,
          );
        }
        break;
      }
      case 'too_big': {
        const message =
          issue.origin === 'array'
            ? `must have ${issue.exact ? 'exactly' : 'at most'} ${String(issue.maximum)} items`
            : `must be at most ${String(issue.maximum)}, got ${describeValue(found)}`;
        collector.add(doc.file, 'FIELD_INVALID', message, target(issue.path), doc);
        break;
      }
      case 'invalid_value': {
        const values = issue.values.map((v) => JSON.stringify(v));
        const isAnswer =
          issue.values.length === 2 && issue.values.includes('A') && issue.values.includes('B');
        collector.add(
          doc.file,
          isAnswer ? 'ANSWER_INVALID' : 'FIELD_INVALID',
          `must be ${values.join(' or ')}, got ${describeValue(found)}`,
          target(issue.path),
          doc,
        );
        break;
      }
      case 'unrecognized_keys': {
        for (const key of issue.keys) {
          collector.add(
            doc.file,
            'FIELD_UNKNOWN',
            `unknown field "${key}" (misspelt?)`,
            target([...issue.path, key]),
            doc,
          );
        }
        break;
      }
      default:
        collector.add(doc.file, 'FIELD_INVALID', issue.message, target(issue.path), doc);
    }
  }
}
