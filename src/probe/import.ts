import path from 'node:path';
import { z } from 'zod';
import type { PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import type { ImageAnswers } from '../scoring/answer-files.js';
import { chooseOption } from '../scoring/choice.js';
import { scoreSet } from '../scoring/score-set.js';
import type { Protocol } from './prompts.js';
import { sha256Hex } from './prompts.js';
import type { Variant } from './protocols/variants.js';
import { type ImageResult, itemKey, type RunRecord } from './records.js';
import { countResults } from './runner.js';
import type { ProbeStores } from './stores.js';

/**
 * `probe import`: an official harness answers file (`Results/<model>/<model>_<mode>.json`) becomes a run in
 * the store, with one recorded reply per image, so it can be reported, compared and replayed (provider
 * `replay`) through the probe's own parser and scorer.
 */

const score = z.number().int().min(0).max(10);
const officialImage = z.looseObject({
  A: score,
  B: score,
  full_answer: z.string().nullable().optional(),
  gpt_reason: z.string().optional(),
  /** Written by this tool for greedy, prefix and confidence runs: each option's normalised probability. */
  probabilities: z.object({ A: z.number().min(0).max(1), B: z.number().min(0).max(1) }).optional(),
});
const officialEntry = z.looseObject({
  answer: z.looseObject({ im1: officialImage, im2: officialImage }),
  score: z.unknown().optional(),
});
export const officialAnswersFileSchema = z.record(z.string(), officialEntry);
export type OfficialAnswersFile = z.infer<typeof officialAnswersFileSchema>;

/**
 * `gpt_mc.json` → mc, `gpt_gpt4.json` → ff, `llava_greedy.json` → greedy, `llava_prefix.json` → prefix (also
 * with this tool's variant suffix, `gpt_mc_swapped.json`); otherwise judge explanations (`gpt_reason`) mean ff.
 */
export function detectProtocol(file: string, data: OfficialAnswersFile): Protocol {
  const base = path.basename(file).replace(/_(rephrased|swapped)(?=\.json$)/i, '');
  if (/_gpt4\.json$/i.test(base)) return 'ff';
  if (/_mc\.json$/i.test(base)) return 'mc';
  if (/_greedy\.json$/i.test(base)) return 'greedy';
  if (/_prefix\.json$/i.test(base)) return 'prefix';
  const judged = Object.values(data).some((e) => e.answer.im1.gpt_reason !== undefined);
  return judged ? 'ff' : 'mc';
}

export function parseOfficialAnswersFile(raw: unknown, source: string, set: PairSet): OfficialAnswersFile {
  const parsed = officialAnswersFileSchema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.slice(0, 5).map((issue) => {
      const [pairId, ...field] = issue.path.map(String);
      return `  pair "${pairId}"${field.length ? `, field "${field.join('.')}"` : ''}: ${issue.message}`;
    });
    const more = parsed.error.issues.length > 5 ? `\n  … and ${parsed.error.issues.length - 5} more` : '';
    throw new UserFacingError(
      'IMPORT_INVALID',
      `${source} is not an official answers file ({"<pair id>": {"answer": {"im1": {"A", "B", "full_answer"}, "im2": …}}}):\n${lines.join('\n')}${more}`,
    );
  }
  if (Object.keys(parsed.data).length === 0) {
    throw new UserFacingError('IMPORT_INVALID', `${source} holds no answers.`);
  }
  const known = new Set(set.pairs.map((p) => p.id));
  const unknown = Object.keys(parsed.data).filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw new UserFacingError(
      'IMPORT_UNKNOWN_PAIRS',
      `${source} answers pair ids the ${set.name} set does not have: ${unknown.slice(0, 10).join(', ')}${unknown.length > 10 ? ', …' : ''}.`,
    );
  }
  return parsed.data;
}

/** `gpt_mc_swapped.json` → swapped: the variant this tool's own answers files name. */
export function detectVariant(file: string): Variant {
  const match = /_(rephrased|swapped)\.json$/i.exec(path.basename(file));
  return match?.[1] ? (match[1].toLowerCase() as Variant) : 'official';
}

/** The judge reply an imported free-form answer stands for, in the official conversion format. */
export function judgeReplyText(scores: { A: number; B: number }, explanation: string): string {
  return `A: ${scores.A}\nB: ${scores.B}\nYour explanation: ${explanation}`;
}

export interface ImportOptions {
  runId: string;
  modelName: string;
  source: string;
  set: PairSet;
  data: OfficialAnswersFile;
  protocol: Protocol;
  /** The variant the answers were asked with (default `official`). */
  variant?: Variant;
  threshold: number;
  stores: Pick<ProbeStores, 'runs' | 'items'>;
  dataDir: string | null;
}

export async function importOfficialAnswers(
  options: ImportOptions,
): Promise<{ record: RunRecord; results: ImageResult[] }> {
  const { set, data, protocol, threshold } = options;
  const results: ImageResult[] = [];
  const answers = new Map<string, ImageAnswers>();
  for (const pair of set.pairs) {
    const entry = data[pair.id];
    if (entry === undefined) continue;
    const images = [entry.answer.im1, entry.answer.im2] as const;
    answers.set(pair.id, [
      { A: images[0].A, B: images[0].B },
      { A: images[1].A, B: images[1].B },
    ]);
    for (const slot of [0, 1] as const) {
      const image = images[slot];
      const scores = { A: image.A, B: image.B };
      const reply = image.full_answer ?? null;
      const chosen = chooseOption(scores, threshold);
      const explanation = image.gpt_reason ?? '';
      const outcome = reply === null ? 'ERROR' : chosen === null ? 'INVALID' : 'ANSWERED';
      const probabilities = outcome === 'ERROR' ? null : (image.probabilities ?? null);
      results.push({
        pairId: pair.id,
        slot,
        imageSha256: null,
        outcome,
        chosen: outcome === 'ERROR' ? null : chosen,
        correctOption: pair.images[slot].correct,
        scores: outcome === 'ERROR' ? null : scores,
        probabilities,
        confidence: probabilities && chosen !== null && outcome !== 'ERROR' ? probabilities[chosen] : null,
        reply,
        reason:
          outcome === 'ERROR'
            ? 'the answers file has no reply for this image (null)'
            : outcome === 'INVALID'
              ? `scores A ${scores.A}, B ${scores.B}: no option leads by ${threshold}`
              : null,
        judge:
          protocol === 'ff'
            ? { reply: judgeReplyText(scores, explanation), explanation, templateSha256: 'imported' }
            : null,
        templateSha256: 'imported',
        systemSha256: null,
        latencyMs: 0,
        usage: { inputTokens: 0, outputTokens: 0 },
        costUsd: 0,
        requests: 0,
        cached: false,
      });
    }
  }
  for (const result of results) {
    await options.stores.items.set(itemKey(options.runId, result.pairId, result.slot), result);
  }
  const scored = scoreSet(set, answers, threshold);
  const now = new Date().toISOString();
  const record: RunRecord = {
    id: options.runId,
    kind: 'import',
    model: { id: options.modelName, provider: 'import', baseURL: null, model: options.modelName },
    judge: null,
    protocol,
    variant: options.variant ?? 'official',
    params: {
      dataset: set.name,
      dataDir: options.dataDir,
      category: null,
      pairs: null,
      seed: null,
      concurrency: null,
      rpm: null,
      timeoutMs: null,
      maxAttempts: null,
      maxRequests: null,
      maxCostUsd: null,
      retryErrors: false,
      threshold,
      temperature: null,
      maxTokens: null,
      judgeTemperature: null,
    },
    templates: { answer: null, answerKey: null, system: null, judge: null },
    status: 'completed',
    startedAt: now,
    finishedAt: now,
    counts: countResults(set.pairs.length * 2, results, { requests: 0, cacheHits: 0 }),
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    pairIds: set.pairs.map((p) => p.id),
    categories: set.categories,
    categoryCounts: set.categoryCounts,
    scoreTable: scored.counts,
    summary: scored.summary,
    outDir: null,
    source: `${options.source} (sha256 ${sha256Hex(JSON.stringify(data)).slice(0, 16)})`,
  };
  await options.stores.runs.set(record.id, record);
  return { record, results };
}
