import { type Node as JsonNode, type ParseError, parseTree, printParseErrorCode } from 'jsonc-parser';
import { isMap, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';

/**
 * A parsed JSON or YAML file that remembers where every value came from, so validation can say
 * "line 20, column 24" and not only "somewhere in dataset.json". Duplicate keys are reported instead of
 * being silently resolved the way JSON.parse does (it keeps the last one).
 */

export type DocPath = readonly (string | number)[];

export interface SourcePosition {
  /** 1-based. */
  line: number;
  /** 1-based, in UTF-16 code units. */
  column: number;
}

export interface DocumentIssue {
  kind: 'syntax' | 'duplicate-key';
  message: string;
  /** For duplicate keys: the path of the object holding the key twice. */
  path: DocPath;
  /** For duplicate keys: the repeated key. */
  key?: string;
  position?: SourcePosition;
}

export interface SourceDocument {
  file: string;
  format: 'json' | 'yaml';
  /** The parsed value; `undefined` when a syntax error makes the content unreliable. */
  value: unknown;
  issues: DocumentIssue[];
  /** Where the value at `path` starts, or its closest existing ancestor's key when it is absent. */
  locate(path: DocPath): SourcePosition | undefined;
}

/** Maps offsets to line/column with a binary search over line starts. */
function lineIndex(text: string): (offset: number) => SourcePosition {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (starts[lo] ?? 0) + 1 };
  };
}

const JSON_ERROR_TEXT: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'invalid number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected ":"',
  CommaExpected: 'expected "," or a closing bracket',
  CloseBraceExpected: 'expected "}"',
  CloseBracketExpected: 'expected "]"',
  EndOfFileExpected: 'unexpected content after the end of the document',
  InvalidCommentToken: 'comments are not allowed in JSON',
  UnexpectedEndOfComment: 'comments are not allowed in JSON',
  UnexpectedEndOfString: 'unterminated string',
  UnexpectedEndOfNumber: 'unterminated number',
  InvalidUnicode: 'invalid \\u escape',
  InvalidEscapeCharacter: 'invalid escape character',
  InvalidCharacter: 'control character inside a string (escape it)',
};

function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

function jsonKey(property: JsonNode): JsonNode | undefined {
  return property.children?.[0];
}

/** Keys in the parsed value, every object's own keys counted. */
function countParsedKeys(value: unknown): number {
  if (Array.isArray(value)) {
    let count = 0;
    for (const item of value) count += countParsedKeys(item);
    return count;
  }
  if (typeof value !== 'object' || value === null) return 0;
  let count = 0;
  for (const item of Object.values(value)) count += 1 + countParsedKeys(item);
  return count;
}

/** Every string token of a JSON text, and whether a colon follows it (a property name) or not. */
const STRING_TOKEN = /"(?:[^"\\]|\\.)*"(\s*:)?/g;

/**
 * Whether valid JSON `text` repeats a key within one object. JSON.parse keeps only the last of a repeated
 * key, so the parsed value then holds fewer keys than the text names; equal counts mean no repeats. In
 * valid JSON every `"` outside a string opens one, so the scan meets the string tokens in order.
 */
function repeatsKeys(text: string, parsed: unknown): boolean {
  let named = 0;
  for (const match of text.matchAll(STRING_TOKEN)) if (match[1] !== undefined) named += 1;
  return named !== countParsedKeys(parsed);
}

/**
 * Strict JSON (no comments, no trailing commas), with positions and duplicate-key detection. A valid file
 * without repeated keys (the usual case) is read with JSON.parse alone, and its syntax tree is built only
 * if a position is asked for: the tree of the official dataset costs more than the rest of its loading.
 */
export function parseJsonDocument(file: string, rawText: string): SourceDocument {
  const text = stripBom(rawText);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return parseJsonTree(file, text);
  }
  if (repeatsKeys(text, parsed)) return parseJsonTree(file, text);
  let tree: SourceDocument | undefined;
  return {
    file,
    format: 'json',
    value: parsed,
    issues: [],
    locate: (docPath) => {
      tree ??= parseJsonTree(file, text);
      return tree.locate(docPath);
    },
  };
}

/** The full reading: a syntax tree with every position, syntax errors and repeated keys as issues. */
function parseJsonTree(file: string, text: string): SourceDocument {
  const position = lineIndex(text);
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false });
  const issues: DocumentIssue[] = [];

  const firstError = errors[0];
  if (firstError || !root) {
    // Only the first error is reliable: after it the parser is guessing, and later errors are echoes.
    const offset = firstError?.offset ?? 0;
    const name = firstError ? printParseErrorCode(firstError.error) : 'ValueExpected';
    issues.push({
      kind: 'syntax',
      message: `invalid JSON: ${JSON_ERROR_TEXT[name] ?? name}`,
      path: [],
      position: position(offset),
    });
    return { file, format: 'json', value: undefined, issues, locate: () => position(offset) };
  }

  const walk = (node: JsonNode, at: (string | number)[]): void => {
    if (node.type === 'object') {
      const seen = new Map<string, JsonNode>();
      for (const property of node.children ?? []) {
        const keyNode = jsonKey(property);
        const valueNode = property.children?.[1];
        if (!keyNode || typeof keyNode.value !== 'string') continue;
        const key = keyNode.value;
        const first = seen.get(key);
        if (first) {
          const firstLine = position(first.offset).line;
          issues.push({
            kind: 'duplicate-key',
            message: `key "${key}" appears more than once (first on line ${firstLine}); JSON readers keep only the last`,
            path: [...at],
            key,
            position: position(keyNode.offset),
          });
        } else {
          seen.set(key, keyNode);
        }
        if (valueNode) walk(valueNode, [...at, key]);
      }
    } else if (node.type === 'array') {
      (node.children ?? []).forEach((child, index) => {
        walk(child, [...at, index]);
      });
    }
  };
  walk(root, []);

  const locate = (docPath: DocPath): SourcePosition | undefined => {
    let node: JsonNode = root;
    let keyOffset = root.offset;
    for (const segment of docPath) {
      let next: JsonNode | undefined;
      if (node.type === 'object' && typeof segment === 'string') {
        // The last occurrence, because that is the value every reader sees.
        const property = (node.children ?? []).findLast((p) => jsonKey(p)?.value === segment);
        next = property?.children?.[1];
        if (property) keyOffset = property.offset;
      } else if (node.type === 'array' && typeof segment === 'number') {
        next = node.children?.[segment];
        if (next) keyOffset = next.offset;
      }
      if (!next) return position(keyOffset);
      node = next;
    }
    return position(node.offset);
  };

  // JSON.parse is much faster than walking the tree, and the text is known to be valid here.
  return { file, format: 'json', value: JSON.parse(text), issues, locate };
}

/** YAML 1.2 (which also reads JSON), with positions and duplicate-key detection. */
export function parseYamlDocument(file: string, rawText: string): SourceDocument {
  const text = stripBom(rawText);
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const toPosition = (offset: number): SourcePosition => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, column: col };
  };

  const locateNode = (docPath: DocPath): { found: boolean; offset: number } => {
    let node: unknown = doc.contents;
    let offset = doc.contents?.range?.[0] ?? 0;
    for (const segment of docPath) {
      let next: unknown;
      if (isMap(node)) {
        const pair = node.items.findLast(
          (item) => isScalar(item.key) && String(item.key.value) === String(segment),
        );
        if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
        next = pair?.value;
      } else if (isSeq(node) && typeof segment === 'number') {
        next = node.items[segment];
      }
      const range = (next as { range?: [number, number, number] } | undefined)?.range;
      if (next === undefined || next === null || !range) return { found: false, offset };
      offset = range[0];
      node = next;
    }
    return { found: true, offset };
  };
  const locate = (docPath: DocPath) => toPosition(locateNode(docPath).offset);

  const issues: DocumentIssue[] = [];
  let fatal = false;
  for (const error of doc.errors) {
    // linePos is only filled in with prettyErrors, which also rewrites the message; compute it instead.
    const position = toPosition(error.pos[0]);
    if (error.code === 'DUPLICATE_KEY') {
      const parent = duplicateKeyParentPath(doc, error.pos[0]);
      const named = parent.key === undefined ? 'key' : `key "${parent.key}"`;
      issues.push({
        kind: 'duplicate-key',
        message: `${named} appears more than once in the same mapping; only the last one would be read`,
        path: parent.path,
        ...(parent.key === undefined ? {} : { key: parent.key }),
        position,
      });
    } else {
      fatal = true;
      issues.push({ kind: 'syntax', message: `invalid YAML: ${error.message}`, path: [], position });
    }
  }
  if (fatal) return { file, format: 'yaml', value: undefined, issues, locate };

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (err) {
    issues.push({ kind: 'syntax', message: `invalid YAML: ${(err as Error).message}`, path: [] });
    return { file, format: 'yaml', value: undefined, issues, locate };
  }
  return { file, format: 'yaml', value, issues, locate };
}

/** Finds which mapping holds the duplicate key at `offset`, so the problem can name the pair and field. */
function duplicateKeyParentPath(
  doc: ReturnType<typeof parseDocument>,
  offset: number,
): { path: (string | number)[]; key?: string } {
  const search = (
    node: unknown,
    at: (string | number)[],
  ): { path: (string | number)[]; key?: string } | null => {
    if (isMap(node)) {
      for (const pair of node.items) {
        if (isScalar(pair.key) && pair.key.range && pair.key.range[0] === offset) {
          return { path: at, key: String(pair.key.value) };
        }
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        const found = search(pair.value, [...at, key]);
        if (found) return found;
      }
    } else if (isSeq(node)) {
      for (let i = 0; i < node.items.length; i++) {
        const found = search(node.items[i], [...at, i]);
        if (found) return found;
      }
    }
    return null;
  };
  return search(doc.contents, []) ?? { path: [] };
}

/** Chooses the parser by extension: `.json` is strict JSON, anything else is read as YAML. */
export function parseSourceDocument(file: string, text: string): SourceDocument {
  return file.toLowerCase().endsWith('.json') ? parseJsonDocument(file, text) : parseYamlDocument(file, text);
}
