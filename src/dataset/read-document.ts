import { readFile } from 'node:fs/promises';
import type { ProblemCode } from './problems.js';
import { type DocPath, parseSourceDocument, type SourceDocument } from './source-document.js';
import type { ProblemCollector, ProblemTarget } from './validation.js';

/**
 * Reads and parses one data file, turning every way that can fail into problems: missing, unreadable,
 * syntax errors (with line and column) and duplicate keys. Returns null when there is nothing to validate.
 */
export async function readDocument(
  file: string,
  collector: ProblemCollector,
  options: {
    /** A missing optional file is not a problem (image_dict.json). */
    required: boolean;
    /** Names the pair and field of a duplicate key, from the path of the object holding it. */
    duplicateTarget: (parentPath: DocPath, key: string | undefined, value: unknown) => ProblemTarget;
    /** What the file is, for the missing-file message. */
    missingHint?: string;
  },
): Promise<SourceDocument | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      if (options.required) {
        collector.add(
          file,
          'FILE_MISSING',
          `file not found${options.missingHint ? `; ${options.missingHint}` : ''}`,
        );
      }
    } else {
      const reason = code === 'EISDIR' ? 'it is a folder, not a file' : (err as Error).message;
      collector.add(file, 'FILE_UNREADABLE', `cannot read file: ${reason}`);
    }
    return null;
  }
  const doc = parseSourceDocument(file, text);
  const syntaxCode: ProblemCode = doc.format === 'json' ? 'JSON_SYNTAX' : 'YAML_SYNTAX';
  for (const issue of doc.issues) {
    if (issue.kind === 'syntax') {
      collector.addAt(file, syntaxCode, issue.message, {}, issue.position);
    } else {
      collector.addAt(
        file,
        'DUPLICATE_KEY',
        issue.message,
        options.duplicateTarget(issue.path, issue.key, doc.value),
        issue.position,
      );
    }
  }
  return doc;
}

/** A plain object (not null, not a list): the shape every data file and pair must have. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
