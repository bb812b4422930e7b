import type { ConfusingPair } from '../dataset/model.js';
import { itemKey, type RunRecord } from '../probe/records.js';
import { probeStores } from '../probe/stores.js';
import type { ModelAnswerSource, ModelPairAnswers } from '../quiz/model-answers.js';
import type { Store } from '../store/types.js';

/**
 * Model answers from recorded multiple-choice probe runs and imports only, never asked live: a report or an
 * export must neither cost money nor depend on a provider being up. For each model, the newest run that
 * holds both images of the pair (without a recorded error) answers.
 */
export function recordedRunAnswers(store: Store): ModelAnswerSource {
  const stores = probeStores(store);
  let runs: Promise<Map<string, RunRecord[]>> | undefined;
  const loadRuns = () => {
    runs ??= (async () => {
      const byModel = new Map<string, RunRecord[]>();
      for await (const [, run] of stores.runs.entries()) {
        if (run.protocol !== 'mc') continue;
        const list = byModel.get(run.model.id) ?? [];
        list.push(run);
        byModel.set(run.model.id, list);
      }
      for (const list of byModel.values()) list.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
      return byModel;
    })();
    return runs;
  };
  return {
    async knownModels() {
      return [...(await loadRuns()).keys()].sort();
    },
    async answersFor(modelId: string, pair: ConfusingPair): Promise<ModelPairAnswers> {
      const list = (await loadRuns()).get(modelId);
      if (list === undefined) return { ok: false, reason: `no recorded multiple-choice run of ${modelId}` };
      for (const run of list) {
        if (!run.pairIds.includes(pair.id)) continue;
        const [a, b] = await Promise.all([
          stores.items.get(itemKey(run.id, pair.id, 0)),
          stores.items.get(itemKey(run.id, pair.id, 1)),
        ]);
        if (a === undefined || b === undefined || a.outcome === 'ERROR' || b.outcome === 'ERROR') continue;
        // A run with --logprobs recorded how sure the model was; reveals show it ("A, 97% sure").
        const confidence: [number | null, number | null] = [a.confidence ?? null, b.confidence ?? null];
        return {
          ok: true,
          chosen: [a.chosen, b.chosen],
          raw: [a.reply, b.reply],
          ...(confidence.some((c) => c !== null) ? { confidence } : {}),
        };
      }
      return { ok: false, reason: `no recorded answer of ${modelId} for pair ${pair.id}` };
    },
  };
}
