import type { z } from 'zod';
import { type CallFailure, failedResult } from './http-errors.js';
import type { ModelResult } from './types.js';

/**
 * One request through a provider's SDK, turned into a ModelResult: the SDK's call with a timeout and the
 * caller's abort signal, its body validated at the boundary, and every failure returned as data with the
 * secrets scrubbed. Providers differ only in how they send, what a reply looks like and how errors map.
 */
export async function timedCall<T>(options: {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  secrets: readonly string[];
  send: (requestOptions: { timeout: number; signal?: AbortSignal }) => Promise<unknown>;
  schema: z.ZodType<T>;
  read: (body: T) => Omit<Extract<ModelResult, { ok: true }>, 'ok' | 'latencyMs'>;
  toFailure: (err: unknown, timeoutMs: number) => CallFailure;
}): Promise<ModelResult> {
  const { timeoutMs, signal, secrets } = options;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  try {
    const raw = await options.send({ timeout: timeoutMs, ...(signal ? { signal } : {}) });
    const parsed = options.schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return failedResult(
        { kind: 'malformed', message: `${where}${issue?.message ?? 'unexpected body'}` },
        elapsed(),
        secrets,
      );
    }
    return { ok: true, ...options.read(parsed.data), latencyMs: elapsed() };
  } catch (err) {
    if (signal?.aborted) return failedResult({ kind: 'aborted' }, elapsed(), secrets);
    return failedResult(options.toFailure(err, timeoutMs), elapsed(), secrets);
  }
}
