import type { LogprobRequest } from '../adapters/logprobs.js';
import type { ImageInput, ModelIdentity, ModelRequest } from '../adapters/types.js';
import type { ImageSlot } from '../dataset/model.js';
import { answerCacheKey } from './cache-key.js';
import { fillAnswerPrompt, type ProtocolPrompts } from './prompts.js';
import type { AskedQuestion, Variant } from './protocols/variants.js';
import type { CachedCompletion } from './records.js';
import type { GateOutcome } from './request-gate.js';

/**
 * The question about one image exactly as a probe run asks it: the request sent and the cache key it is
 * stored under. Everything that asks a model a benchmark question (runs, the quiz, `/probe`) builds both
 * here, so an answer given to one is found by the others.
 */

/** What a request asks beyond the official question: the variant and any log-probabilities. */
export interface AskExtras {
  variant?: Variant;
  logprobs?: LogprobRequest;
}

export function answerKeyFor(
  model: ModelIdentity,
  prompts: ProtocolPrompts,
  pair: AskedQuestion,
  image: ImageInput,
  extras: AskExtras = {},
): string {
  return answerCacheKey({
    ...extras,
    model,
    protocol: prompts.protocol,
    templateSha256: prompts.template.sha256,
    systemSha256: prompts.system?.sha256 ?? null,
    temperature: prompts.temperature,
    maxTokens: prompts.maxTokens,
    question: pair.question,
    options: pair.options,
    imageSha256: image.sha256,
  });
}

export function answerRequestFor(
  prompts: ProtocolPrompts,
  pair: AskedQuestion & { id: string },
  slot: ImageSlot,
  image: ImageInput,
  logprobs?: LogprobRequest,
): ModelRequest {
  return {
    ...(logprobs ? { logprobs } : {}),
    // Greedy and prefix read probabilities from a one-token reply: its cut at the limit is the design.
    ...(prompts.protocol === 'greedy' || prompts.protocol === 'prefix' ? { scoresOnly: true } : {}),
    system: prompts.system?.text ?? null,
    prompt: fillAnswerPrompt(prompts, pair.question, pair.options),
    image,
    temperature: prompts.temperature,
    maxTokens: prompts.maxTokens,
    context: { pairId: pair.id, slot, purpose: 'answer' },
  };
}

/** A request gate's final result in the form the cache keeps. */
export function completionOf(outcome: Extract<GateOutcome, { kind: 'done' }>): CachedCompletion {
  const { result, attempts } = outcome;
  const at = new Date().toISOString();
  return result.ok
    ? {
        ok: true,
        text: result.text,
        ...(result.tokens !== undefined ? { tokens: result.tokens } : {}),
        ...(result.promptTokens !== undefined ? { promptTokens: result.promptTokens } : {}),
        usage: result.usage,
        latencyMs: result.latencyMs,
        attempts,
        at,
      }
    : {
        ok: false,
        error: result.error,
        ...(result.status !== undefined ? { status: result.status } : {}),
        latencyMs: result.latencyMs,
        attempts,
        at,
      };
}
