import { mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { stringify } from 'csv-stringify/sync';
import type { PairSet } from '../dataset/model.js';
import { UserFacingError } from '../errors.js';
import { buildCountTable } from '../scoring/count-table.js';
import type { SetScore } from '../scoring/score-set.js';
import { OFFICIAL_MODE } from './prompts.js';
import type { ImageResult, RunRecord } from './records.js';

/** `gpt-4o` stays, `org/model:tag` becomes `org_model_tag`: the model part of the official file names. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9._-]+/g, '_');
}

export interface ResultFileNames {
  run: string;
  answers: string;
  score: string;
  csv: string;
}

export function resultFileNames(outDir: string, record: RunRecord): ResultFileNames {
  // Variants are this tool's own: their files say so, and `probe import` reads the suffix back.
  const variant = record.variant === 'official' ? '' : `_${record.variant}`;
  const stem = `${fileSafe(record.model.id)}_${OFFICIAL_MODE[record.protocol]}${variant}`;
  return {
    run: path.join(outDir, 'run.json'),
    answers: path.join(outDir, `${stem}.json`),
    score: path.join(outDir, `${stem}_score.json`),
    csv: path.join(outDir, 'images.csv'),
  };
}

interface OfficialImageAnswer {
  A: number;
  B: number;
  full_answer: string | null;
  gpt_reason?: string;
  probabilities?: { A: number; B: number };
}

function officialImageAnswer(result: ImageResult, protocol: RunRecord['protocol']): OfficialImageAnswer {
  const scores = result.outcome === 'ERROR' || result.scores === null ? { A: 0, B: 0 } : result.scores;
  // The official greedy and prefix modes record the chosen letter as the answer.
  const scoring = protocol === 'greedy' || protocol === 'prefix';
  return {
    A: scores.A,
    B: scores.B,
    full_answer: scoring && result.outcome !== 'ERROR' ? (result.chosen ?? result.reply) : result.reply,
    ...(protocol === 'ff' ? { gpt_reason: result.judge?.explanation ?? '' } : {}),
    ...(result.probabilities ? { probabilities: result.probabilities } : {}),
  };
}

/**
 * The official harness's `Results/<model>/<model>_<mode>.json`: per finished pair the option scores and raw
 * reply of each image and the pair's own count table. Only pairs with both images finished are listed,
 * as in a partial official file.
 */
export function officialAnswersFile(
  set: PairSet,
  record: RunRecord,
  results: readonly ImageResult[],
  score: SetScore,
): Record<string, { answer: { im1: OfficialImageAnswer; im2: OfficialImageAnswer }; score: unknown }> {
  const byKey = new Map(results.map((r) => [`${r.pairId}/${r.slot}`, r]));
  const file: ReturnType<typeof officialAnswersFile> = {};
  for (const scored of score.pairs) {
    const first = byKey.get(`${scored.pair.id}/0`);
    const second = byKey.get(`${scored.pair.id}/1`);
    if (!first || !second) continue;
    file[scored.pair.id] = {
      answer: {
        im1: officialImageAnswer(first, record.protocol),
        im2: officialImageAnswer(second, record.protocol),
      },
      score: buildCountTable(set, [scored]),
    };
  }
  return file;
}

export function imagesCsv(set: PairSet, results: readonly ImageResult[]): string {
  const pairs = new Map(set.pairs.map((p) => [p.id, p]));
  const rows = results.map((r) => {
    const image = pairs.get(r.pairId)?.images[r.slot];
    return {
      pair_id: r.pairId,
      image: r.slot + 1,
      local_id: image?.localId ?? '',
      categories: image?.categories.join('; ') ?? '',
      correct_option: r.correctOption,
      outcome: r.outcome,
      chosen: r.chosen ?? '-',
      correct: r.chosen !== null && r.chosen === r.correctOption ? 1 : 0,
      confidence: r.confidence ?? '',
      score_a: r.scores?.A ?? '',
      score_b: r.scores?.B ?? '',
      reply: r.reply ?? '',
      reason: r.reason ?? '',
      judge_reply: r.judge?.reply ?? '',
      latency_ms: r.latencyMs,
      input_tokens: r.usage.inputTokens,
      output_tokens: r.usage.outputTokens,
      cost_usd: r.costUsd,
      requests: r.requests,
      cached: r.cached ? 1 : 0,
      template_sha256: r.templateSha256,
      image_sha256: r.imageSha256 ?? '',
    };
  });
  return stringify(rows, {
    header: true,
    columns: [
      'pair_id',
      'image',
      'local_id',
      'categories',
      'correct_option',
      'outcome',
      'chosen',
      'correct',
      'confidence',
      'score_a',
      'score_b',
      'reply',
      'reason',
      'judge_reply',
      'latency_ms',
      'input_tokens',
      'output_tokens',
      'cost_usd',
      'requests',
      'cached',
      'template_sha256',
      'image_sha256',
    ],
  });
}

/** Writes a file whole or not at all, so an interrupted write never leaves half a JSON file behind. */
async function writeAtomic(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.tmp`;
  await writeFile(temp, text);
  await rename(temp, file);
}

export async function writeResultFiles(
  outDir: string,
  set: PairSet,
  record: RunRecord,
  results: readonly ImageResult[],
  score: SetScore,
): Promise<ResultFileNames> {
  const names = resultFileNames(outDir, record);
  try {
    await mkdir(outDir, { recursive: true });
    // Independent files: written side by side, the next one formatted while the last is on its way.
    const written = await Promise.allSettled([
      writeAtomic(names.run, `${JSON.stringify({ run: record, results }, null, 2)}\n`),
      writeAtomic(
        names.answers,
        `${JSON.stringify(officialAnswersFile(set, record, results, score), null, 2)}\n`,
      ),
      writeAtomic(names.score, `${JSON.stringify(score.counts, null, 2)}\n`),
      writeAtomic(names.csv, imagesCsv(set, results)),
    ]);
    for (const outcome of written) if (outcome.status === 'rejected') throw outcome.reason;
  } catch (err) {
    throw new UserFacingError(
      'PROBE_OUTPUT_UNWRITABLE',
      `Cannot write the run's result files to ${outDir}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return names;
}
