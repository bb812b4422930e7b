import { randomBytes } from 'node:crypto';
import pLimit from 'p-limit';
import type { ModelAdapter, ModelRequest, ModelResult } from '../adapters/types.js';
import type { ConfusingPair, PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import { type ImageAnswers, NO_ANSWER } from '../scoring/answer-files.js';
import { type SetScore, scoreSet } from '../scoring/score-set.js';
import { hashKey } from '../store/keys.js';
import { answerKeyFor, answerRequestFor, completionOf } from './answer-request.js';
import { Budget, costOf, type Price, requirePrices } from './budget.js';
import { judgeCacheKey } from './cache-key.js';
import { FailFast, type FailFastStop } from './fail-fast.js';
import { imageSlotKey, loadImage, resolveImageFiles } from './images.js';
import { currentOwner, findContinuableRun, HEARTBEAT_MS, type RunOwner } from './lifecycle.js';
import { ffVerdict, mcVerdict } from './outcome.js';
import {
  fillJudgePrompt,
  type GenerationOverrides,
  JUDGE_MAX_TOKENS,
  judgePrompts,
  type PromptsFile,
  type Protocol,
  protocolPrompts,
  TOP_LOGPROBS,
} from './prompts.js';
import { askedQuestion, type Variant } from './protocols/variants.js';
import {
  greedyVerdict,
  inDatasetOrder,
  prefixReplyText,
  prefixVerdict,
  requireLogprobs,
  type ScoredVerdict,
  withReplyConfidence,
} from './protocols/verdicts.js';
import {
  type CachedCompletion,
  type ImageResult,
  itemKey,
  type RunCounts,
  type RunCoverage,
  type RunRecord,
  type RunStatus,
} from './records.js';
import { type BackoffSettings, RequestGate } from './request-gate.js';
import type { ProbeStores } from './stores.js';

/** A model as the runner needs it: the adapter plus the models file's operating settings. */
export interface ProbeModel {
  adapter: ModelAdapter;
  promptKey: string | null;
  concurrency: number;
  rpm: number | null;
  price: Price | null;
  timeoutMs: number;
  /** The models file's `maxTokens`: the answer's own limit, replacing the protocol's. */
  maxTokens?: number | null;
}

export interface ProgressSnapshot {
  total: number;
  done: number;
  answered: number;
  invalid: number;
  error: number;
  /** Images answered correctly so far. */
  correct: number;
  /** Pairs with both images finished, and how many of those were both right. */
  pairsDone: number;
  setCorrect: number;
  requests: number;
  cacheHits: number;
  costUsd: number;
}

export interface RunProbeOptions {
  runId?: string;
  /** The pairs to ask (already filtered and sampled: see selection.ts). */
  set: PairSet;
  selection: { category: string | null; pairs: number | null; seed: number | null };
  /** Set when the data folder lacked images and only the complete pairs are asked (partial-set.ts). */
  coverage?: RunCoverage | null;
  dataDir: string | null;
  protocol: Protocol;
  /** Robustness variant (default `official`): see protocols/variants.ts. */
  variant?: Variant;
  /** Multiple choice: also ask for token log-probabilities, giving each image a confidence. */
  logprobs?: boolean;
  model: ProbeModel;
  /** Required for `ff`; ignored for `mc`. */
  judge: ProbeModel | null;
  judgeTemperature: number;
  prompts: PromptsFile;
  threshold: number;
  /** Overrides the model's own concurrency. */
  concurrency?: number;
  timeoutMs?: number;
  backoff: BackoffSettings;
  maxRequests: number | null;
  maxCostUsd: number | null;
  /** Ask again where the cache holds an ERROR; INVALID replies are real answers and stay. */
  retryErrors: boolean;
  stores: ProbeStores;
  outDir: string | null;
  log: Logger;
  onProgress?: (snapshot: ProgressSnapshot) => void;
  /** Stop scheduling new images (first Ctrl-C); requests in flight finish and are kept. */
  stopSignal?: AbortSignal;
  /** Abort requests in flight too (second Ctrl-C); their replies are dropped. */
  abortSignal?: AbortSignal;
  random?: () => number;
  /** `--temperature` / `--max-tokens`: replace the protocol's generation settings. */
  generation?: GenerationOverrides;
  /**
   * Continue the newest unfinished run with the same settings (same id, same result folder) instead of
   * recording a new one. A run with these settings still alive in another process is refused.
   */
  continueRun?: boolean;
  /** The result folder of a new run, when `outDir` is null (the CLI's RUNS_DIR/<run id>). */
  defaultOutDir?: (runId: string) => string;
  /** Who runs it (tests pass another owner); the current process by default. */
  owner?: RunOwner;
  heartbeatMs?: number;
}

/** A run that cannot start: the same settings are being run by another process right now. */
export class RunBusyError extends Error {
  constructor(readonly record: RunRecord) {
    super(`run ${record.id} with the same settings is still running (process ${record.owner?.pid ?? '?'})`);
  }
}

export interface ProbeRun {
  record: RunRecord;
  /** Finished images in set order (pair order, image 1 then 2). */
  results: ImageResult[];
  score: SetScore;
}

export function newRunId(
  modelId: string,
  protocol: Protocol,
  now = new Date(),
  variant: Variant = 'official',
): string {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  const safeModel = modelId.replace(/[^A-Za-z0-9._-]+/g, '_');
  const mode = variant === 'official' ? protocol : `${protocol}-${variant}`;
  return `${stamp}-${safeModel}-${mode}-${randomBytes(2).toString('hex')}`;
}

function modelRef(adapter: ModelAdapter): RunRecord['model'] {
  return {
    id: adapter.id,
    provider: adapter.identity.provider,
    baseURL: adapter.identity.baseURL,
    model: adapter.identity.model,
  };
}

/** Scores the finished images with the official rules; unfinished pairs add nothing to the counts. */
export function scoreResults(set: PairSet, results: readonly ImageResult[], threshold: number): SetScore {
  const byPair = new Map<string, [ImageResult | undefined, ImageResult | undefined]>();
  for (const result of results) {
    const entry = byPair.get(result.pairId) ?? [undefined, undefined];
    entry[result.slot] = result;
    byPair.set(result.pairId, entry);
  }
  const answers = new Map<string, ImageAnswers>();
  for (const [pairId, [first, second]] of byPair) {
    if (first === undefined || second === undefined) continue;
    const scoresOf = (r: ImageResult) =>
      r.outcome === 'ERROR' || r.scores === null ? { ...NO_ANSWER } : r.scores;
    answers.set(pairId, [scoresOf(first), scoresOf(second)]);
  }
  return scoreSet(set, answers, threshold);
}

export function countResults(
  total: number,
  results: readonly ImageResult[],
  extra: { requests: number; cacheHits: number },
): RunCounts {
  const count = (outcome: ImageResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  return {
    images: total,
    answered: count('ANSWERED'),
    invalid: count('INVALID'),
    error: count('ERROR'),
    pending: total - results.length,
    correct: results.filter((r) => r.chosen !== null && r.chosen === r.correctOption).length,
    requests: extra.requests,
    cacheHits: extra.cacheHits,
  };
}

/**
 * Asks one model every image of the set, one image per request in a fresh conversation, and scores the
 * replies with the official rules. Every reply is cached as it arrives and every finished image is recorded
 * under the run, so a run that is stopped — by its budget, Ctrl-C or a crash — picks up where it left off
 * when started again with the same settings.
 */
export async function runProbe(options: RunProbeOptions): Promise<ProbeRun> {
  const { set, protocol, model, stores, log } = options;
  const variant = options.variant ?? 'official';
  // Greedy reads the first reply token's alternatives; multiple choice does too when confidence is asked.
  const replyLogprobs =
    protocol === 'greedy' || (protocol === 'mc' && options.logprobs === true)
      ? ({ kind: 'reply', top: TOP_LOGPROBS } as const)
      : undefined;
  const endpoint = { id: model.adapter.id, baseURL: model.adapter.identity.baseURL };
  const judge = protocol === 'ff' ? options.judge : null;
  if (protocol === 'ff' && judge === null) throw new Error('the ff protocol needs a judge model');
  requirePrices(options.maxCostUsd, [
    { id: model.adapter.id, price: model.price },
    ...(judge ? [{ id: judge.adapter.id, price: judge.price }] : []),
  ]);

  const imageFiles = await resolveImageFiles(set);
  const answerPrompts = protocolPrompts(
    options.prompts,
    protocol,
    {
      promptKey: model.promptKey,
      reasoning: model.adapter.reasoning,
      acceptsTemperature: model.adapter.acceptsTemperature,
      thinkingBudget: model.adapter.thinkingBudget,
    },
    {
      temperature: options.generation?.temperature,
      maxTokens: options.generation?.maxTokens ?? model.maxTokens ?? undefined,
    },
  );
  const judgeTexts = judgePrompts(options.prompts);
  const judgeTemperature =
    judge?.adapter.reasoning || judge?.adapter.acceptsTemperature === false ? null : options.judgeTemperature;
  // A thinking judge needs room to think before its verdict.
  const judgeMaxTokens = JUDGE_MAX_TOKENS + (judge?.adapter.thinkingBudget ?? 0);
  const concurrency = options.concurrency ?? model.concurrency;
  const timeoutMs = options.timeoutMs ?? model.timeoutMs;
  const budget = new Budget({ maxRequests: options.maxRequests, maxCostUsd: options.maxCostUsd });

  const gateHooks = {
    ...(options.abortSignal ? { abortSignal: options.abortSignal } : {}),
    ...(options.random ? { random: options.random } : {}),
    onAttempt: ({ attempt, result }: { attempt: number; result: ModelResult }) => {
      // Debug: the final outcome of every image is reported; single failed attempts are detail.
      if (!result.ok) log.debug({ model: model.adapter.id, attempt, error: result.error }, 'request failed');
    },
  };
  // Offline providers (replay, random) have no server to give up on: a missing recording is per image.
  const failFastOf = (adapter: ModelAdapter) =>
    adapter.identity.provider === 'openai' || adapter.identity.provider === 'anthropic'
      ? new FailFast({ modelId: adapter.id, baseURL: adapter.identity.baseURL })
      : null;
  const answerFailFast = failFastOf(model.adapter);
  const answerGate = new RequestGate(
    model.adapter,
    { concurrency, rpm: model.rpm, timeoutMs, price: model.price, backoff: options.backoff },
    budget,
    { ...gateHooks, ...(answerFailFast ? { failFast: answerFailFast } : {}) },
  );
  const judgeFailFast = judge === null ? null : failFastOf(judge.adapter);
  const judgeGate =
    judge === null
      ? null
      : // The same model judging its own replies shares one concurrency limit and rpm.
        judge.adapter.id === model.adapter.id
        ? answerGate
        : new RequestGate(
            judge.adapter,
            {
              concurrency: judge.concurrency,
              rpm: judge.rpm,
              timeoutMs: options.timeoutMs ?? judge.timeoutMs,
              price: judge.price,
              backoff: options.backoff,
            },
            budget,
            { ...gateHooks, ...(judgeFailFast ? { failFast: judgeFailFast } : {}) },
          );
  const failFastStop = (): FailFastStop | null => answerFailFast?.stopped ?? judgeFailFast?.stopped ?? null;

  const settingsKey = hashKey({
    v: 1,
    model: model.adapter.identity,
    judge: judge?.adapter.identity ?? null,
    protocol,
    // Variants and confidence requests are other questions: their runs never continue one another.
    ...(variant !== 'official' ? { variant } : {}),
    ...(replyLogprobs && protocol === 'mc' ? { logprobs: replyLogprobs } : {}),
    dataset: set.name,
    dataDir: options.dataDir,
    selection: options.selection,
    pairs: set.pairs.map((p) => p.id),
    threshold: options.threshold,
    template: answerPrompts.template.sha256,
    system: answerPrompts.system?.sha256 ?? null,
    temperature: answerPrompts.temperature,
    maxTokens: answerPrompts.maxTokens,
    judgeTemplate: judge ? judgeTexts.sha256 : null,
    judgeTemperature: judge ? judgeTemperature : null,
    judgeMaxTokens: judge ? judgeMaxTokens : null,
  });
  const previous = options.continueRun ? await findContinuableRun(stores, settingsKey) : null;
  if (previous?.status === 'running') throw new RunBusyError(previous.record);
  // A run that failed fast recorded the failures that stopped it: continuing it asks those again.
  const retryErrors = options.retryErrors || previous?.status === 'failed';

  const runId =
    previous?.record.id ?? options.runId ?? newRunId(model.adapter.id, protocol, new Date(), variant);
  const outDir =
    options.outDir ??
    previous?.record.outDir ??
    (options.defaultOutDir ? options.defaultOutDir(runId) : null);
  const nowIso = () => new Date().toISOString();
  const startedAt = previous?.record.startedAt ?? nowIso();
  const owner = options.owner ?? currentOwner();
  const total = set.pairs.length * 2;
  const record: RunRecord = {
    id: runId,
    kind: 'probe',
    model: modelRef(model.adapter),
    judge: judge ? modelRef(judge.adapter) : null,
    protocol,
    variant,
    params: {
      dataset: set.name,
      dataDir: options.dataDir,
      category: options.selection.category,
      pairs: options.selection.pairs,
      seed: options.selection.seed,
      concurrency,
      rpm: model.rpm,
      timeoutMs,
      maxAttempts: options.backoff.maxAttempts,
      maxRequests: options.maxRequests,
      maxCostUsd: options.maxCostUsd,
      retryErrors,
      threshold: options.threshold,
      temperature: answerPrompts.temperature,
      maxTokens: answerPrompts.maxTokens,
      judgeTemperature: judge ? judgeTemperature : null,
      generation: answerPrompts.settings,
      coverage: options.coverage ?? null,
    },
    templates: {
      answer: answerPrompts.template.sha256,
      answerKey: answerPrompts.template.key,
      system: answerPrompts.system?.sha256 ?? null,
      judge: judge ? judgeTexts.sha256 : null,
    },
    status: 'running',
    startedAt,
    finishedAt: null,
    counts: countResults(total, [], { requests: 0, cacheHits: 0 }),
    usage: { inputTokens: 0, outputTokens: 0, costUsd: 0 },
    pairIds: set.pairs.map((p) => p.id),
    categories: set.categories,
    categoryCounts: set.categoryCounts,
    scoreTable: null,
    summary: null,
    outDir,
    source: null,
    settingsKey,
    owner: { ...owner, heartbeatAt: nowIso() },
    failure: null,
    ...(previous ? { resumedAt: [...(previous.record.resumedAt ?? []), nowIso()] } : {}),
  };
  await stores.runs.set(runId, record);
  log.info(
    { runId, model: model.adapter.id, protocol, images: total, continued: previous !== null },
    previous ? 'probe run continued' : 'probe run started',
  );
  // A killed process cannot mark its run: the heartbeat lets another machine sharing the store tell.
  let heartbeatWrite: Promise<unknown> = Promise.resolve();
  const heartbeat = setInterval(() => {
    heartbeatWrite = heartbeatWrite
      .then(() => stores.runs.set(runId, { ...record, owner: { ...owner, heartbeatAt: nowIso() } }))
      .catch((err: unknown) => log.warn({ err, runId }, 'could not refresh the run heartbeat'));
  }, options.heartbeatMs ?? HEARTBEAT_MS);
  heartbeat.unref();

  const stopped: { reason: { status: RunStatus; why: string } | null } = { reason: null };
  const stop = (status: RunStatus, why: string) => {
    stopped.reason ??= { status, why };
  };
  const onStopSignal = () => stop('interrupted', 'interrupted');
  options.stopSignal?.addEventListener('abort', onStopSignal, { once: true });
  if (options.stopSignal?.aborted) onStopSignal();

  const results = new Map<string, ImageResult>();
  let cacheHits = 0;
  const progress: ProgressSnapshot = {
    total,
    done: 0,
    answered: 0,
    invalid: 0,
    error: 0,
    correct: 0,
    pairsDone: 0,
    setCorrect: 0,
    requests: 0,
    cacheHits: 0,
    costUsd: 0,
  };
  const report = () => {
    progress.requests = budget.requests;
    progress.costUsd = budget.costUsd;
    progress.cacheHits = cacheHits;
    options.onProgress?.({ ...progress });
  };

  type Obtained = { completion: CachedCompletion; requests: number; cached: boolean } | null;
  /**
   * Requests under way, by cache key. The official set asks a few identical questions of the same image
   * (pairs 10114 and 10115 share one); the second asker waits for the first reply and counts it as a
   * cache hit, so a run sends each distinct request once whatever the timing.
   */
  const inFlight = new Map<string, Promise<Obtained>>();
  const obtain = (
    key: string,
    gate: RequestGate,
    request: () => ModelRequest,
    check: (completion: CachedCompletion) => void = () => {},
  ): Promise<Obtained> => {
    const pending = inFlight.get(key);
    if (pending !== undefined) {
      return pending.then((got) => {
        if (got === null) return null;
        cacheHits += 1;
        return { completion: got.completion, requests: 0, cached: true };
      });
    }
    const started = obtainOnce(key, gate, request, check).finally(() => inFlight.delete(key));
    inFlight.set(key, started);
    return started;
  };

  /** The cached reply, or a fresh one; null when the run stopped before one arrived. */
  const obtainOnce = async (
    key: string,
    gate: RequestGate,
    request: () => ModelRequest,
    /** Throws for a reply that must not be cached or used (e.g. no log-probabilities). */
    check: (completion: CachedCompletion) => void = () => {},
  ): Promise<{ completion: CachedCompletion; requests: number; cached: boolean } | null> => {
    const cached = await stores.cache.get(key);
    if (cached !== undefined && (cached.ok || !retryErrors)) {
      cacheHits += 1;
      return { completion: cached, requests: 0, cached: true };
    }
    if (stopped.reason !== null) return null;
    const outcome = await gate.complete(request());
    if (outcome.kind === 'stopped') {
      const failed = failFastStop();
      if (failed !== null) stop('failed', failed.message);
      else stop(budget.exhausted !== null ? 'stopped-by-budget' : 'interrupted', outcome.reason);
      return null;
    }
    const failed = failFastStop();
    if (failed !== null) stop('failed', failed.message);
    const completion = completionOf(outcome);
    check(completion);
    await stores.cache.set(key, completion);
    return { completion, requests: outcome.attempts, cached: false };
  };

  const askImage = async (pair: ConfusingPair, slot: 0 | 1): Promise<ImageResult | null> => {
    if (stopped.reason?.status === 'interrupted' || stopped.reason?.status === 'failed') return null;
    const file = imageFiles.get(imageSlotKey(pair.id, slot));
    if (file === undefined) throw new Error(`no image file resolved for pair ${pair.id}, image ${slot + 1}`);
    const image = await loadImage(file, `Pair ${pair.id}, image ${slot + 1}`);
    const context = { pairId: pair.id, slot } as const;
    const asked = { ...askedQuestion(pair, variant), id: pair.id };
    const ask = (logprobs: typeof replyLogprobs | { kind: 'prefill'; assistant: string } | undefined) => {
      const extras = { variant, ...(logprobs ? { logprobs } : {}) };
      return obtain(
        answerKeyFor(model.adapter.identity, answerPrompts, asked, image, extras),
        answerGate,
        () => answerRequestFor(answerPrompts, asked, slot, image, logprobs),
        (completion) => {
          if (logprobs) requireLogprobs(completion, logprobs.kind, endpoint);
        },
      );
    };
    // Prefix scoring asks once per option, each prefilled as the answer; the others ask once.
    let prefixAnswers: { A: CachedCompletion; B: CachedCompletion } | null = null;
    let answer: Awaited<ReturnType<typeof obtain>>;
    if (protocol === 'prefix') {
      const first = await ask({ kind: 'prefill', assistant: asked.options.A });
      if (first === null) return null;
      const second = await ask({ kind: 'prefill', assistant: asked.options.B });
      if (second === null) return null;
      prefixAnswers = { A: first.completion, B: second.completion };
      answer = {
        completion: first.completion.ok && !second.completion.ok ? second.completion : first.completion,
        requests: first.requests + second.requests,
        cached: first.cached && second.cached,
      };
      if (first.completion.ok && second.completion.ok) {
        const usage = {
          inputTokens: first.completion.usage.inputTokens + second.completion.usage.inputTokens,
          outputTokens: first.completion.usage.outputTokens + second.completion.usage.outputTokens,
        };
        answer.completion = {
          ...first.completion,
          text: prefixReplyText(prefixAnswers, asked),
          usage,
          latencyMs: first.completion.latencyMs + second.completion.latencyMs,
        };
      }
    } else {
      answer = await ask(replyLogprobs);
      if (answer === null) return null;
    }

    let judged: Awaited<ReturnType<typeof obtain>> = null;
    if (judge !== null && judgeGate !== null && answer.completion.ok) {
      const reply = answer.completion.text;
      const key = judgeCacheKey({
        judge: judge.adapter.identity,
        judgeTemplateSha256: judgeTexts.sha256,
        temperature: judgeTemperature,
        maxTokens: judgeMaxTokens,
        question: asked.question,
        options: asked.options,
        reply,
      });
      judged = await obtain(key, judgeGate, () => ({
        system: judge.adapter.reasoning ? null : judgeTexts.system,
        prompt: fillJudgePrompt(judgeTexts, asked.question, asked.options, reply),
        image: null,
        temperature: judgeTemperature,
        maxTokens: judgeMaxTokens,
        context: { ...context, purpose: 'judge' },
      }));
      if (judged === null) return null;
    }

    const shownVerdict: ScoredVerdict =
      protocol === 'prefix' && prefixAnswers !== null
        ? prefixVerdict(prefixAnswers, asked)
        : protocol === 'greedy'
          ? greedyVerdict(answer.completion)
          : protocol === 'mc'
            ? withReplyConfidence(mcVerdict(answer.completion, options.threshold), answer.completion)
            : {
                ...ffVerdict(answer.completion, judged?.completion ?? null, options.threshold),
                probabilities: null,
              };
    // Scored, reported and compared in the dataset's option order, whatever order the model saw.
    const verdict = inDatasetOrder(shownVerdict, variant);
    const usageOf = (c: CachedCompletion | undefined) =>
      c?.ok ? c.usage : { inputTokens: 0, outputTokens: 0 };
    const answerUsage = usageOf(answer.completion);
    const judgeUsage = usageOf(judged?.completion);
    const result: ImageResult = {
      pairId: pair.id,
      slot,
      imageSha256: image.sha256,
      outcome: verdict.outcome,
      chosen: verdict.chosen,
      correctOption: pair.images[slot].correct,
      scores: verdict.scores,
      probabilities: verdict.probabilities,
      confidence: verdict.confidence,
      reply: answer.completion.ok ? answer.completion.text : null,
      reason: verdict.reason,
      judge:
        judged === null
          ? null
          : {
              reply: judged.completion.ok ? judged.completion.text : null,
              explanation: verdict.judgeExplanation,
              templateSha256: judgeTexts.sha256,
            },
      templateSha256: answerPrompts.template.sha256,
      systemSha256: answerPrompts.system?.sha256 ?? null,
      latencyMs: Math.round(answer.completion.latencyMs + (judged?.completion.latencyMs ?? 0)),
      usage: {
        inputTokens: answerUsage.inputTokens + judgeUsage.inputTokens,
        outputTokens: answerUsage.outputTokens + judgeUsage.outputTokens,
      },
      costUsd: costOf(answerUsage, model.price) + (judge ? costOf(judgeUsage, judge.price) : 0),
      requests: answer.requests + (judged?.requests ?? 0),
      cached: answer.cached && (judged?.cached ?? true),
    };
    await stores.items.set(itemKey(runId, pair.id, slot), result);
    return result;
  };

  const recordFinished = (pair: ConfusingPair, result: ImageResult) => {
    results.set(itemKey(runId, pair.id, result.slot), result);
    progress.done += 1;
    if (result.outcome === 'ANSWERED') progress.answered += 1;
    if (result.outcome === 'INVALID') progress.invalid += 1;
    if (result.outcome === 'ERROR') progress.error += 1;
    const right = (r: ImageResult | undefined) =>
      r !== undefined && r.chosen !== null && r.chosen === r.correctOption;
    if (right(result)) progress.correct += 1;
    const other = results.get(itemKey(runId, pair.id, result.slot === 0 ? 1 : 0));
    if (other !== undefined) {
      progress.pairsDone += 1;
      if (right(result) && right(other)) progress.setCorrect += 1;
    }
    report();
  };

  // The gates cap requests in flight. Twice as many images are in progress so that reading an image and
  // storing a reply (local work) never leaves a request slot idle, while memory stays bounded.
  const imageLimit = pLimit(concurrency * 2);
  let failure: unknown = null;
  await Promise.all(
    set.pairs.flatMap((pair) =>
      ([0, 1] as const).map((slot) =>
        imageLimit(async () => {
          if (failure !== null) return;
          try {
            const result = await askImage(pair, slot);
            if (result !== null) recordFinished(pair, result);
          } catch (err) {
            // A bug or a store outage: stop scheduling, let what is in flight finish, then report it.
            failure ??= err;
            stop('interrupted', 'internal error');
          }
        }),
      ),
    ),
  );
  options.stopSignal?.removeEventListener('abort', onStopSignal);
  clearInterval(heartbeat);
  await heartbeatWrite;

  const ordered: ImageResult[] = [];
  for (const pair of set.pairs) {
    for (const slot of [0, 1] as const) {
      const result = results.get(itemKey(runId, pair.id, slot));
      if (result !== undefined) ordered.push(result);
    }
  }
  const score = scoreResults(set, ordered, options.threshold);
  const counts = countResults(total, ordered, { requests: budget.requests, cacheHits });
  const finalStatus: RunStatus =
    counts.pending === 0 ? 'completed' : (stopped.reason?.status ?? 'interrupted');
  const failedStop = finalStatus === 'failed' ? failFastStop() : null;
  const finished: RunRecord = {
    ...record,
    status: finalStatus,
    owner: null,
    failure: failedStop,
    finishedAt: new Date().toISOString(),
    counts,
    usage: { inputTokens: budget.inputTokens, outputTokens: budget.outputTokens, costUsd: budget.costUsd },
    scoreTable: score.counts,
    summary: score.summary,
  };
  await stores.runs.set(runId, finished);
  log.info({ runId, status: finalStatus, ...counts, why: stopped.reason?.why }, 'probe run finished');
  if (failure !== null) throw failure;
  return { record: finished, results: ordered, score };
}
