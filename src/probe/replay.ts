import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import type { ReplayModelConfig } from '../adapters/models-file.js';
import type { ModelAdapter, ModelRequest, ModelResult } from '../adapters/types.js';
import type { Collection } from '../store/types.js';
import { type ImageResult, imageResultSchema, itemKey } from './records.js';

/**
 * The `replay` provider: answers from a run recorded in the store (a probe run, or an official answers
 * file brought in with `probe import`). It looks the question up by (pair id, image) from the request's
 * context and returns the reply recorded then, byte for byte, so the probe's parsing and scoring run again
 * on real model output without a model. Offline, free and instant.
 */

export interface ReplayAdapterOptions {
  id: string;
  /** The id of the recorded run. */
  runId: string;
  /** Per-image results of recorded runs (the probe's `probe-items` collection). */
  items: Pick<Collection<ImageResult>, 'get'>;
}

function fail(error: string): ModelResult {
  return { ok: false, error, retryable: false, latencyMs: 0 };
}

export function createRecordedRunAdapter(options: ReplayAdapterOptions): ModelAdapter {
  return {
    id: options.id,
    // The run id is the model: two recorded runs are two different models as far as caching goes.
    identity: { provider: 'replay', baseURL: null, model: options.runId },
    reasoning: false,
    async complete(request: ModelRequest, callOptions = {}): Promise<ModelResult> {
      if (callOptions.signal?.aborted) return fail('request aborted');
      const { context } = request;
      if (context === undefined) {
        return fail('replay answers recorded questions only, and this request names no pair and image');
      }
      const where = `pair ${context.pairId}, image ${context.slot + 1}`;
      let recorded: ImageResult | undefined;
      try {
        recorded = await options.items.get(itemKey(options.runId, context.pairId, context.slot));
      } catch (err) {
        const error = `cannot read run ${options.runId} from the store: ${(err as Error).message}`;
        return { ok: false, error, retryable: true, latencyMs: 0 };
      }
      if (recorded === undefined) return fail(`run ${options.runId} has no recorded answer for ${where}`);
      const usage = { inputTokens: 0, outputTokens: 0 };
      if (context.purpose === 'answer') {
        if (recorded.reply === null) {
          return fail(
            `run ${options.runId} recorded no reply for ${where}${recorded.reason ? ` (${recorded.reason})` : ''}`,
          );
        }
        return { ok: true, text: recorded.reply, usage, latencyMs: 0 };
      }
      const judged = recorded.judge?.reply ?? null;
      if (judged === null) return fail(`run ${options.runId} recorded no judge reply for ${where}`);
      return { ok: true, text: judged, usage, latencyMs: 0 };
    },
  };
}

const runFileSchema = z.object({ results: z.array(imageResultSchema) });

/**
 * The replay provider as the registry builds it by default, without a store: the run's replies come from
 * its result file `<runsDir>/<run>/run.json`, read on the first request. The probe passes its own factory
 * (the store's recorded runs, imports included) through the registry's `factories.replay` hook.
 */
export function createReplayAdapter(
  model: ReplayModelConfig,
  _env: unknown,
  extras: { runsDir?: string } = {},
): ModelAdapter {
  const runsDir = extras.runsDir;
  let loaded: Promise<Map<string, ImageResult>> | undefined;
  const load = () => {
    loaded ??= (async () => {
      if (runsDir === undefined) throw new Error('no runs folder was given to find the run in');
      const file = path.join(runsDir, model.run, 'run.json');
      const parsed = runFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
      return new Map(parsed.results.map((r) => [itemKey(model.run, r.pairId, r.slot), r]));
    })();
    return loaded;
  };
  return createRecordedRunAdapter({
    id: model.id,
    runId: model.run,
    items: { get: async (key) => (await load()).get(key) },
  });
}
