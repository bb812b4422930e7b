import { existsSync } from 'node:fs';
import path from 'node:path';

/**
 * Reads `.env` from the working directory into process.env when there is one, so the set-up the README
 * describes (copy .env.example to .env) works without a shell trick. Variables already set in the
 * environment win over the file: an explicit `FOO=… npm start` is never overridden.
 */
export function loadDotEnv(cwd: string = process.cwd()): string | null {
  const file = path.join(cwd, '.env');
  if (!existsSync(file)) return null;
  process.loadEnvFile(file);
  return file;
}
