import { describe, expect, it } from 'vitest';
import { parseJsonDocument, parseYamlDocument } from '../../src/dataset/source-document.js';

describe('reading JSON with positions', () => {
  it('gives the line and column of a syntax error', () => {
    const doc = parseJsonDocument('x.json', '{\n  "a": 1\n  "b": 2\n}\n');
    expect(doc.value).toBeUndefined();
    expect(doc.issues).toEqual([
      {
        kind: 'syntax',
        message: 'invalid JSON: expected "," or a closing bracket',
        path: [],
        position: { line: 3, column: 3 },
      },
    ]);
  });

  it('rejects what JSON does not allow: comments and trailing commas', () => {
    expect(parseJsonDocument('x.json', '{"a": 1, // note\n"b": 2}').issues[0]?.message).toBe(
      'invalid JSON: comments are not allowed in JSON',
    );
    expect(parseJsonDocument('x.json', '{"a": 1,}').issues[0]?.kind).toBe('syntax');
  });

  it('reports an empty file as a syntax error at line 1', () => {
    expect(parseJsonDocument('x.json', '').issues[0]).toMatchObject({
      kind: 'syntax',
      position: { line: 1, column: 1 },
    });
  });

  it('reports a duplicate key with its object path, where the repeat is and where the first one was', () => {
    const doc = parseJsonDocument('x.json', '{\n "p": {\n  "q": 1,\n  "q": 2\n }\n}');
    expect(doc.issues).toEqual([
      {
        kind: 'duplicate-key',
        message: 'key "q" appears more than once (first on line 3); JSON readers keep only the last',
        path: ['p'],
        key: 'q',
        position: { line: 4, column: 3 },
      },
    ]);
    // The value is what every JSON reader sees: the last one.
    expect(doc.value).toEqual({ p: { q: 2 } });
  });

  it('finds a repeated key inside a list, past strings that hold quotes and colons', () => {
    const text = '[{"a": "x\\": \\"y", "b": ":"}, {"c": "\\\\", "c": 2}]';
    const doc = parseJsonDocument('x.json', text);
    expect(doc.issues).toMatchObject([{ kind: 'duplicate-key', path: [1], key: 'c' }]);
  });

  it('reads keys that only look repeated (the same text as a value, an escaped quote) as distinct', () => {
    const doc = parseJsonDocument('x.json', '{"a": "a", "b\\"": {"a": "\\"a\\":"}, "__proto__": 1}');
    expect(doc.issues).toEqual([]);
    expect(doc.value).toEqual(JSON.parse('{"a": "a", "b\\"": {"a": "\\"a\\":"}, "__proto__": 1}'));
  });

  it('locates a value, and for a missing one the nearest existing parent', () => {
    const doc = parseJsonDocument('x.json', '{\n  "p": {\n    "q": [10, 20]\n  }\n}');
    expect(doc.locate(['p', 'q', 1])).toEqual({ line: 3, column: 15 });
    expect(doc.locate(['p', 'missing'])).toEqual({ line: 2, column: 3 });
  });

  it('ignores a byte order mark', () => {
    expect(parseJsonDocument('x.json', '\uFEFF{"a": 1}').value).toEqual({ a: 1 });
  });
});

describe('reading YAML with positions', () => {
  it('gives the line and column of a syntax error', () => {
    const doc = parseYamlDocument('x.yaml', 'a: 1\nb: [1, 2\nc: 3\n');
    expect(doc.value).toBeUndefined();
    expect(doc.issues[0]).toMatchObject({ kind: 'syntax', position: { line: 3 } });
  });

  it('reports a duplicate key with its mapping path and keeps reading', () => {
    const doc = parseYamlDocument('x.yaml', 'pairs:\n  - id: a\n    id: b\n');
    expect(doc.issues).toEqual([
      {
        kind: 'duplicate-key',
        message: 'key "id" appears more than once in the same mapping; only the last one would be read',
        path: ['pairs', 0],
        key: 'id',
        position: { line: 3, column: 5 },
      },
    ]);
    expect(doc.value).toEqual({ pairs: [{ id: 'b' }] });
  });

  it('locates values in block and flow collections', () => {
    const doc = parseYamlDocument('x.yaml', 'pairs:\n  - id: a\n    tags: [x, y]\n');
    expect(doc.locate(['pairs', 0, 'tags', 1])).toEqual({ line: 3, column: 15 });
    expect(doc.locate(['pairs', 0, 'missing'])).toEqual({ line: 2, column: 5 });
  });
});
