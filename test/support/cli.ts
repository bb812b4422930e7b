import { PassThrough } from 'node:stream';
import { createCliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/run.js';

/** What one in-process CLI run gave back. */
export interface CliRun {
  code: number;
  out: string;
  err: string;
}

function collect(stream: PassThrough): () => string {
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return () => Buffer.concat(chunks).toString('utf8');
}

/** Runs `mediconfusion <argv>` in-process with exactly `env` and `cwd`, capturing what it prints. */
export async function runCliCaptured(
  argv: string[],
  env: Record<string, string>,
  cwd: string,
): Promise<CliRun> {
  const out = new PassThrough();
  const err = new PassThrough();
  const readOut = collect(out);
  const readErr = collect(err);
  const code = await runCli(argv, createCliContext({ env, cwd, out, err }));
  return { code, out: readOut(), err: readErr() };
}
