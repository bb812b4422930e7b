import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/** Where a variable's value came from when `.env` set it: the file and line, for error messages. */
const fromDotEnv = new Map<string, { file: string; line: number; value: string }>();

const ASSIGNMENT = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*=\s*(.*)$/;

export interface DotEnvLines {
  /** Each variable the file assigns, with the line of its (last) assignment. */
  assignments: Map<string, number>;
  /** Lines that are neither blank, a comment nor `NAME=value` (1-based). */
  ignored: number[];
  /** `export NAME=value` lines: some Node versions read them, others skip them. */
  exported: Map<string, number>;
}

/**
 * Reads the lines of a .env file the way Node's loader does (`NAME=value`, optional `export `, `#` comments,
 * quoted values that may span lines) to find what it would skip without a word.
 */
export function scanDotEnv(text: string): DotEnvLines {
  const assignments = new Map<string, number>();
  const exported = new Map<string, number>();
  const ignored: number[] = [];
  let openQuote: string | null = null;
  text.split(/\r?\n/).forEach((line, index) => {
    if (openQuote !== null) {
      if (line.includes(openQuote)) openQuote = null;
      return;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const match = ASSIGNMENT.exec(line);
    if (match === null) {
      ignored.push(index + 1);
      return;
    }
    if (/^\s*export\s/.test(line)) exported.set(match[1] ?? '', index + 1);
    else assignments.set(match[1] ?? '', index + 1);
    const value = (match[2] ?? '').trimStart();
    const quote = value[0];
    if ((quote === '"' || quote === "'" || quote === '`') && !value.slice(1).includes(quote))
      openQuote = quote;
  });
  return { assignments, ignored, exported };
}

/**
 * Reads `.env` from the working directory into process.env when there is one, so the set-up the README
 * describes (copy .env.example to .env) works without a shell trick. Variables already set in the
 * environment win over the file: an explicit `FOO=… npm start` is never overridden. Lines Node's loader
 * would skip silently are reported (by number only: a garbled line may hold a secret).
 */
export function loadDotEnv(
  cwd: string = process.cwd(),
  warn: (message: string) => void = (message) => process.stderr.write(`${message}\n`),
): string | null {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return null;
  const before = new Set(Object.keys(process.env));
  process.loadEnvFile(file);
  const { assignments, ignored, exported } = scanDotEnv(readFileSync(file, 'utf8'));
  for (const [name, line] of exported) {
    if (process.env[name] === undefined) ignored.push(line);
    else assignments.set(name, line);
  }
  ignored.sort((a, b) => a - b);
  for (const [name, line] of assignments) {
    const value = process.env[name];
    if (!before.has(name) && value !== undefined) fromDotEnv.set(name, { file, line, value });
  }
  if (ignored.length > 0) {
    const lines = ignored.length === 1 ? `line ${ignored[0]}` : `lines ${ignored.join(', ')}`;
    warn(`warning: ${file}: ${lines} ignored: not NAME=value (a comment starts with #)`);
  }
  return file;
}

/** `.env line N` when the variable's value `value` was set by the .env file; null otherwise. */
export function dotEnvSource(name: string, value: string | undefined): string | null {
  const source = fromDotEnv.get(name);
  if (source === undefined || source.value !== value) return null;
  return `${path.basename(source.file)} line ${source.line}`;
}
