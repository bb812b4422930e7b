import { z } from 'zod';
import type { Collection } from '../store/types.js';
import { PROTOCOLS } from './prompts.js';
import { VARIANTS } from './protocols/variants.js';

/**
 * What the probe keeps in the store. Every record is validated when read back, so a store written by an
 * older version (or edited by hand) fails with a message instead of surfacing as a wrong table.
 */

export const NAMESPACES = {
  /** One model request's final result (after retries), keyed by a hash of everything that shaped it. */
  cache: 'probe-cache',
  /** One record per run. */
  runs: 'probe-runs',
  /** Per-image results of a run, keyed `<run id>/<pair id>/<slot>`. */
  items: 'probe-items',
} as const;

/** The part of a store collection (src/store) the probe uses. */
export type ProbeCollection<T> = Pick<Collection<T>, 'get' | 'set' | 'entries'>;

export const usageSchema = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
});
export type UsageRecord = z.infer<typeof usageSchema>;

const tokenChoiceSchema = z.object({ token: z.string(), logprob: z.number() });

export const cachedCompletionSchema = z.discriminatedUnion('ok', [
  z.object({
    ok: z.literal(true),
    text: z.string(),
    /** Reply tokens with alternatives, when log-probabilities were asked for (null: the server sent none). */
    tokens: z
      .array(tokenChoiceSchema.extend({ top: z.array(tokenChoiceSchema) }))
      .nullable()
      .optional(),
    /** The prompt's last tokens, for prefix scoring (null: the server sent none). */
    promptTokens: z.array(tokenChoiceSchema).nullable().optional(),
    usage: usageSchema,
    latencyMs: z.number().nonnegative(),
    attempts: z.number().int().positive(),
    at: z.string(),
  }),
  z.object({
    ok: z.literal(false),
    error: z.string(),
    status: z.number().int().optional(),
    latencyMs: z.number().nonnegative(),
    attempts: z.number().int().nonnegative(),
    at: z.string(),
  }),
]);
export type CachedCompletion = z.infer<typeof cachedCompletionSchema>;

export const OUTCOMES = ['ANSWERED', 'INVALID', 'ERROR'] as const;
export type Outcome = (typeof OUTCOMES)[number];

const optionScores = z.object({ A: z.number(), B: z.number() });

export const imageResultSchema = z.object({
  pairId: z.string(),
  slot: z.union([z.literal(0), z.literal(1)]),
  imageSha256: z.string().nullable(),
  outcome: z.enum(OUTCOMES),
  chosen: z.enum(['A', 'B']).nullable(),
  correctOption: z.enum(['A', 'B']),
  /** Parsed scores: 0/10 from the mc parser, 1-10 from the judge; null when there were none. */
  scores: optionScores.nullable(),
  /**
   * The model's probability of each option, normalised over the two, when the mode gives one (greedy,
   * prefix, multiple choice with log-probabilities); absent or null otherwise. In the dataset's option order
   * even for the swapped variant.
   */
  probabilities: optionScores.nullable().optional(),
  /** The probability of the chosen option (from `probabilities`); null when unknown or nothing was chosen. */
  confidence: z.number().min(0).max(1).nullable().optional(),
  /** The model's raw reply; null when the request failed. */
  reply: z.string().nullable(),
  /** Why the image is INVALID or ERROR; null when ANSWERED. */
  reason: z.string().nullable(),
  judge: z
    .object({
      reply: z.string().nullable(),
      explanation: z.string().nullable(),
      templateSha256: z.string(),
    })
    .nullable(),
  templateSha256: z.string(),
  systemSha256: z.string().nullable(),
  latencyMs: z.number().nonnegative(),
  usage: usageSchema,
  costUsd: z.number().nonnegative(),
  /** Requests this image took in this run (0 when every part came from the cache). */
  requests: z.number().int().nonnegative(),
  cached: z.boolean(),
});
export type ImageResult = z.infer<typeof imageResultSchema>;

/**
 * `failed`: stopped at once because the run cannot work (rejected key, unknown model, …). A `running`
 * record whose process is gone is shown as `interrupted` (lifecycle.ts).
 */
export const RUN_STATUSES = ['running', 'completed', 'stopped-by-budget', 'interrupted', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

const modelRef = z.object({
  id: z.string(),
  provider: z.string(),
  baseURL: z.string().nullable(),
  model: z.string(),
});

export const runCountsSchema = z.object({
  images: z.number().int().nonnegative(),
  answered: z.number().int().nonnegative(),
  invalid: z.number().int().nonnegative(),
  error: z.number().int().nonnegative(),
  /** Images not finished (budget stop or interruption): asked on the next run with the same settings. */
  pending: z.number().int().nonnegative(),
  correct: z.number().int().nonnegative(),
  /** HTTP requests sent during the run, retries included. */
  requests: z.number().int().nonnegative(),
  cacheHits: z.number().int().nonnegative(),
});
export type RunCounts = z.infer<typeof runCountsSchema>;

/** Set when the run's data folder lacked images: it asked only the pairs with both images. */
export const runCoverageSchema = z.object({
  completePairs: z.number().int().nonnegative(),
  totalPairs: z.number().int().nonnegative(),
  /** Local ids of the images that were missing. */
  missingImages: z.array(z.string()),
});
export type RunCoverage = z.infer<typeof runCoverageSchema>;

export const runParamsSchema = z.object({
  dataset: z.string(),
  dataDir: z.string().nullable(),
  category: z.string().nullable(),
  pairs: z.number().int().nullable(),
  seed: z.number().int().nullable(),
  /** Null for imported runs, which were not asked by this tool. */
  concurrency: z.number().int().positive().nullable(),
  rpm: z.number().positive().nullable(),
  timeoutMs: z.number().int().positive().nullable(),
  maxAttempts: z.number().int().positive().nullable(),
  maxRequests: z.number().int().positive().nullable(),
  maxCostUsd: z.number().positive().nullable(),
  retryErrors: z.boolean(),
  threshold: z.number(),
  temperature: z.number().nullable(),
  maxTokens: z.number().int().positive().nullable(),
  judgeTemperature: z.number().nullable(),
  /** Where temperature and token limit come from (official configuration, options, thinking budget). */
  generation: z.string().optional(),
  /** Absent in records older than partial sets, and null for a run over every pair. */
  coverage: runCoverageSchema.nullable().optional(),
});
export type RunParams = z.infer<typeof runParamsSchema>;

const countRow = z.record(z.string(), z.number());

const summaryRowSchema = z.object({
  total: z.number(),
  set_acc: z.number(),
  individual_acc: z.number(),
  confused: z.number(),
  valid_pairs: z.number(),
  invalid: z.number(),
  precision: z.number(),
  precision_total: z.number(),
});
const percentIntervalSchema = z.object({ low: z.number(), high: z.number(), n: z.number() });

/** The scoring module's SummaryTable, kept with the run so reports need neither the dataset nor a rescoring. */
export const summaryTableSchema = z.object({
  rows: z.array(z.string()),
  full: z.record(z.string(), summaryRowSchema),
  rounded: z.record(z.string(), summaryRowSchema),
  intervals: z.record(
    z.string(),
    z.object({ set_acc: percentIntervalSchema, individual_acc: percentIntervalSchema }),
  ),
});

export const runRecordSchema = z.object({
  id: z.string(),
  /** `probe` for a run that asked a model, `import` for an official answers file brought in as a run. */
  kind: z.enum(['probe', 'import']),
  model: modelRef,
  judge: modelRef.nullable(),
  protocol: z.enum(PROTOCOLS),
  /** The robustness variant asked (`official` when absent: records written before variants existed). */
  variant: z.enum(VARIANTS).default('official'),
  params: runParamsSchema,
  templates: z.object({
    answer: z.string().nullable(),
    answerKey: z.string().nullable(),
    system: z.string().nullable(),
    judge: z.string().nullable(),
  }),
  status: z.enum(RUN_STATUSES),
  startedAt: z.string(),
  finishedAt: z.string().nullable(),
  counts: runCountsSchema,
  usage: usageSchema.extend({ costUsd: z.number().nonnegative() }),
  pairIds: z.array(z.string()),
  categories: z.array(z.string()),
  categoryCounts: z.record(z.string(), z.number()),
  /** The official `_score.json` count table and the printed table; null while the run is in progress. */
  scoreTable: z.record(z.string(), countRow).nullable(),
  summary: summaryTableSchema.nullable(),
  outDir: z.string().nullable(),
  /** For imports: the file the answers came from. */
  source: z.string().nullable(),
  /**
   * Hash of everything that decides the run's answers (model, protocol, selection, templates, generation
   * settings): the same command run again continues the unfinished run with this key.
   */
  settingsKey: z.string().optional(),
  /** The process running it, and when it last said it was alive: tells a live run from a dead one. */
  owner: z.object({ pid: z.number().int(), host: z.string(), heartbeatAt: z.string() }).nullish(),
  /** Why a `failed` run stopped. */
  failure: z.object({ kind: z.string(), message: z.string() }).nullish(),
  /** When the run was continued after a stop, oldest first. */
  resumedAt: z.array(z.string()).optional(),
});
export type RunRecord = z.infer<typeof runRecordSchema>;

export function itemKey(runId: string, pairId: string, slot: 0 | 1): string {
  return `${runId}/${pairId}/${slot}`;
}
