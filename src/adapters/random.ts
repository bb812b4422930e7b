import { createHash } from 'node:crypto';
import { seededRandom } from '../random.js';
import type { ModelAdapter, ModelRequest, ModelResult } from './types.js';

/**
 * The chance baseline: a seeded coin flip per question. Each answer is drawn from a generator seeded
 * by hashing (seed, pair id, slot), so it does not depend on which questions are asked or in what
 * order, and a run can be resumed or sharded without changing a single answer. Offline and free.
 */

export interface RandomAdapterOptions {
  id: string;
  model: string;
  seed: number;
}

function generatorFor(seed: number, request: ModelRequest): () => number {
  const { context } = request;
  const parts =
    context === undefined
      ? // Without a context (ad-hoc use) the question itself identifies the draw.
        ['adhoc', request.prompt, request.image?.sha256 ?? '']
      : context.purpose === 'answer'
        ? ['answer', context.pairId, String(context.slot)]
        : // A judge sees a reply; different replies to the same image get independent scores.
          ['judge', context.pairId, String(context.slot), request.prompt];
  const digest = createHash('sha256')
    .update([String(seed), ...parts].join('\u0000'))
    .digest();
  return seededRandom(digest.readUInt32LE(0));
}

/** A score from 1 to 10, as the official judge prompt asks. */
function score(next: () => number): number {
  return 1 + Math.floor(next() * 10);
}

export function createRandomAdapter(options: RandomAdapterOptions): ModelAdapter {
  return {
    id: options.id,
    // The seed is part of the identity: answers drawn with another seed must not be taken from a cache.
    identity: { provider: 'random', baseURL: null, model: `${options.model}#seed=${options.seed}` },
    reasoning: false,
    async complete(request, callOptions = {}): Promise<ModelResult> {
      if (callOptions.signal?.aborted) {
        return { ok: false, error: 'request aborted', retryable: false, latencyMs: 0 };
      }
      const next = generatorFor(options.seed, request);
      const text =
        request.context?.purpose === 'judge'
          ? `A: ${score(next)}\nB: ${score(next)}\nYour explanation: random baseline; the scores were drawn at random.`
          : next() < 0.5
            ? 'A'
            : 'B';
      return { ok: true, text, usage: { inputTokens: 0, outputTokens: 0 }, latencyMs: 0 };
    },
  };
}
