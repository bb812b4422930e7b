import type { z } from 'zod';
import { type CallFailure, failedResult } from './http-errors.js';
import type { ModelResult } from './types.js';

/** What a provider makes of a well-formed body: the reply, or why it is no reply (cut, empty). */
export type ReadReply =
  | Omit<Extract<ModelResult, { ok: true }>, 'ok' | 'latencyMs'>
  | Extract<CallFailure, { kind: 'cut' | 'empty' }>;

/** A cut or empty reply's reason, in words that say what to change. */
export function noReplyReason(options: {
  cut: boolean;
  limit: string | null;
  outputTokens: number | null;
  thinkingTokens: number | null;
  finishReason: string | null;
}): string {
  const spent =
    options.outputTokens === null
      ? ''
      : `, ${options.outputTokens} tokens used${options.thinkingTokens ? ` (${options.thinkingTokens} thinking)` : ''}`;
  if (options.cut) {
    return `reply cut off at the token limit (${options.limit ?? 'the server default'}${spent}): raise \`maxTokens\` (or \`thinkingBudget\` for a thinking model) in the models file or pass --max-tokens, then run again with --retry-errors`;
  }
  return `empty reply (finish reason ${options.finishReason ?? 'none'}${spent})`;
}

/** The start of a non-JSON body, for the error text: enough to recognise an HTML page. */
function snippet(body: string): string {
  const flat = body.replace(/\s+/g, ' ').trim();
  return flat.length > 120 ? `${flat.slice(0, 120)}…` : flat || '(empty body)';
}

/**
 * One request through a provider's SDK, turned into a ModelResult: the SDK's call with a timeout and the
 * caller's abort signal, its body validated at the boundary, and every failure returned as data with the
 * secrets scrubbed. Providers differ only in how they send, what a reply looks like and how errors map.
 */
export async function timedCall<T>(options: {
  timeoutMs: number;
  signal: AbortSignal | undefined;
  secrets: readonly string[];
  /** The models-file id, named in hints ("set `tokenField` for model …"). */
  modelId?: string;
  send: (requestOptions: { timeout: number; signal?: AbortSignal }) => Promise<unknown>;
  schema: z.ZodType<T>;
  read: (body: T) => ReadReply;
  toFailure: (err: unknown, timeoutMs: number) => CallFailure;
}): Promise<ModelResult> {
  const { timeoutMs, signal, secrets, modelId } = options;
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  const fail = (failure: CallFailure) => failedResult(failure, elapsed(), secrets, modelId);
  try {
    const raw = await options.send({ timeout: timeoutMs, ...(signal ? { signal } : {}) });
    // The SDKs hand back the text of a body that is not JSON (an HTML page from a wrong base URL).
    if (typeof raw === 'string') return fail({ kind: 'not-api', message: snippet(raw) });
    const parsed = options.schema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
      return fail({ kind: 'malformed', message: `${where}${issue?.message ?? 'unexpected body'}` });
    }
    const reply = options.read(parsed.data);
    if ('kind' in reply) return fail(reply);
    return { ok: true, ...reply, latencyMs: elapsed() };
  } catch (err) {
    if (signal?.aborted) return fail({ kind: 'aborted' });
    return fail(options.toFailure(err, timeoutMs));
  }
}
