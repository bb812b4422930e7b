import { setMaxListeners } from 'node:events';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { findModel, loadModelsFile, type ModelConfig, type ModelsFile } from '../adapters/models-file.js';
import { createAdapter } from '../adapters/registry.js';
import type { ModelAdapter } from '../adapters/types.js';
import type { PairSet } from '../dataset/model.js';
import { loadOfficialSetStrict } from '../dataset/official.js';
import { isUserFacingError, UserFacingError } from '../errors.js';
import { renderCalibrationSection, runCalibration } from '../probe/calibration-report.js';
import { effectiveStatus } from '../probe/lifecycle.js';
import { askablePairs } from '../probe/partial-set.js';
import { loadPromptsFile, PROTOCOLS, type Protocol } from '../probe/prompts.js';
import { VARIANTS, type Variant } from '../probe/protocols/variants.js';
import type { ImageResult, RunRecord } from '../probe/records.js';
import { renderRunReport } from '../probe/report.js';
import { DEFAULT_BACKOFF } from '../probe/request-gate.js';
import { writeResultFiles } from '../probe/result-files.js';
import { newRunId, type ProbeModel, RunBusyError, runProbe } from '../probe/runner.js';
import { selectPairs } from '../probe/selection.js';
import { type ProbeStores, probeStores } from '../probe/stores.js';
import { DEFAULT_THRESHOLD } from '../scoring/choice.js';
import { ALL_ROW } from '../scoring/summary-table.js';
import { openStore } from '../store/index.js';
import type { Store } from '../store/types.js';
import type { CliContext } from './context.js';
import { EXIT } from './exit-codes.js';

/** Written beside a run's result files when its images have confidences. */
const RELIABILITY_CHART_FILE = 'reliability.png';

/** `--model replay:<run id or imported model name>` replays a recorded run without a models-file entry. */
const REPLAY_PREFIX = 'replay:';

interface RunOptions {
  model: string;
  protocol: Protocol;
  variant: Variant;
  logprobs?: boolean;
  judge?: string;
  judgeTemperature: number;
  threshold: number;
  category?: string;
  pairs?: number;
  seed?: number;
  concurrency?: number;
  retryErrors?: boolean;
  maxRequests?: number;
  maxCost?: number;
  timeout?: number;
  maxAttempts: number;
  retryBaseMs: number;
  dataset?: string;
  models?: string;
  out?: string;
  progress: boolean;
  temperature?: number;
  maxTokens?: number;
  newRun?: boolean;
}

const integer = (min: number, what: string) => (value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new InvalidArgumentError(`expected ${what} (a whole number ≥ ${min}).`);
  return n;
};

const decimal = (min: number, max: number, what: string) => (value: string) => {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < min || n > max) {
    throw new InvalidArgumentError(`expected ${what} (a number from ${min} to ${max}).`);
  }
  return n;
};

export function registerProbe(parent: Command, ctx: CliContext): void {
  const probe = parent
    .command('probe')
    .description('ask a model the benchmark questions with the official protocol, and keep the results');

  probe
    .command('run')
    .description('ask a model every question (or a subset) and print the official table')
    .requiredOption('--model <id>', 'model id from the models file, or replay:<run id>')
    .addOption(
      new Option(
        '--protocol <protocol>',
        'mc: letter replies; ff: free-form replies scored by a judge; greedy: the probabilities of "A" and "B" as the first reply token; prefix: each option scored as the answer (vLLM)',
      )
        .choices([...PROTOCOLS])
        .default('mc'),
    )
    .addOption(
      new Option(
        '--variant <variant>',
        "official: the dataset's question; rephrased: the dataset's own rephrasing; swapped: options in the other order",
      )
        .choices([...VARIANTS])
        .default('official'),
    )
    .option('--logprobs', 'with --protocol mc: also ask for token log-probabilities (a confidence per image)')
    .option('--judge <id>', 'model id that scores free-form replies (required with --protocol ff)')
    .option(
      '--judge-temperature <t>',
      'judge sampling temperature (the official harness used 0.7)',
      decimal(0, 2, 'a temperature'),
      0,
    )
    .option(
      '--threshold <n>',
      'margin one option must lead the other by to count as chosen',
      decimal(0, 10, 'a threshold'),
      DEFAULT_THRESHOLD,
    )
    .option('--category <name>', 'only pairs with an image in this category')
    .option(
      '--pairs <n>',
      'only the first N pairs in dataset order (a seeded sample with --seed)',
      integer(1, 'a count'),
    )
    .option('--seed <n>', 'with --pairs: sample the N pairs with this seed instead', integer(0, 'a seed'))
    .option(
      '--concurrency <n>',
      "requests in flight at once (default: the model's `concurrency`)",
      integer(1, 'a count'),
    )
    .option(
      '--retry-errors',
      'ask again the images whose cached reply is an ERROR (INVALID replies are kept)',
    )
    .option(
      '--max-requests <n>',
      'stop cleanly after this many requests (retries count)',
      integer(1, 'a count'),
    )
    .option(
      '--max-cost <usd>',
      'stop cleanly once this many US dollars are spent (needs prices)',
      decimal(0.000001, 1e9, 'an amount'),
    )
    .option(
      '--timeout <ms>',
      "timeout per request (default: the model's `timeoutMs`)",
      integer(1, 'milliseconds'),
    )
    .option(
      '--max-attempts <n>',
      'attempts per request, the first included',
      integer(1, 'a count'),
      DEFAULT_BACKOFF.maxAttempts,
    )
    .option(
      '--retry-base-ms <ms>',
      'upper bound of the first retry delay; doubles per retry (full jitter)',
      integer(0, 'milliseconds'),
      DEFAULT_BACKOFF.baseMs,
    )
    .option('--dataset <path>', 'dataset folder, or a custom set file (default: MEDICONFUSION_DATA_DIR)')
    .option('--models <file>', 'models file (default: MODELS_FILE)')
    .option('--out <dir>', 'where to write the result files (default: RUNS_DIR/<run id>)')
    .option(
      '--temperature <t>',
      "answer temperature (default: mc 0; ff the official configuration of the model's family)",
      decimal(0, 2, 'a temperature'),
    )
    .option(
      '--max-tokens <n>',
      "the answer's token limit (default: the models file's maxTokens, else mc 32; ff official)",
      integer(1, 'a count'),
    )
    .option('--new-run', 'record a new run even if an unfinished one with the same settings exists')
    .option('--no-progress', 'no progress bar or progress log lines')
    .addHelpText(
      'after',
      `
Examples:
  mediconfusion probe run --model gpt-4o
  mediconfusion probe run --model gpt-4o --protocol ff --judge gpt-4o-judge
  mediconfusion probe run --model claude --category Cerebral --pairs 10 --max-cost 0.50
  mediconfusion probe run --model gpt-4o --retry-errors          # ask again only what failed

Every reply is cached: running the same command again asks nothing already answered, so a run stopped
by its budget, Ctrl-C, a failure or a crash continues where it stopped, under the same run id.

Exit codes: 0 every image answered or invalid; 1 configuration or authentication failure (the run stopped
at once); 2 bad command line; 3 some images ended in ERROR; 130 Ctrl-C.`,
    )
    .action(async (options: RunOptions) => {
      await probeRun(ctx, options);
    });

  probe
    .command('list')
    .description('list the configured models and the recorded runs')
    .option('--models <file>', 'models file (default: MODELS_FILE)')
    .option('--json', 'print JSON')
    .action(async (options: { models?: string; json?: boolean }) => {
      await probeList(ctx, options);
    });

  probe
    .command('report')
    .description("print a recorded run's table again")
    .argument('<run>', 'run id (see `probe list`)')
    .option('--json', 'print the run record and per-image results as JSON')
    .option('--chart <file>', 'also write the reliability chart (PNG) of a run with confidences')
    .action(async (runId: string, options: { json?: boolean; chart?: string }) => {
      await probeReport(ctx, runId, options);
    });

  probe
    .command('compare')
    .description('runs side by side per category (e.g. variants): set accuracy, confusion, flip rates')
    .argument('<runs...>', 'two or more run ids (see `probe list`); flips are counted against the first')
    .option('--dataset <path>', 'dataset folder, or a custom set file (default: MEDICONFUSION_DATA_DIR)')
    .option('--json', 'print the comparison as JSON')
    .addHelpText(
      'after',
      `
Example:
  mediconfusion probe run --model gpt-4o                      # the official question
  mediconfusion probe run --model gpt-4o --variant swapped    # the options in the other order
  mediconfusion probe compare RUN_OFFICIAL RUN_SWAPPED`,
    )
    .action(async (runIds: string[], options: { dataset?: string; json?: boolean }) => {
      await probeCompare(ctx, runIds, options);
    });

  probe
    .command('import')
    .description('bring an official harness answers file in as a run (reportable, replayable)')
    .argument('<file>', 'Results/<model>/<model>_<mode>.json from the official harness')
    .requiredOption('--model <name>', 'the name the run is listed under')
    .addOption(
      new Option(
        '--protocol <protocol>',
        'mc, ff, greedy or prefix (default: from the file name: _mc, _gpt4, _greedy, _prefix)',
      ).choices([...PROTOCOLS]),
    )
    .option('--threshold <n>', 'choice margin', decimal(0, 10, 'a threshold'), DEFAULT_THRESHOLD)
    .option('--dataset <dir>', 'dataset folder (default: MEDICONFUSION_DATA_DIR)')
    .addHelpText(
      'after',
      `
Example:
  mediconfusion probe import Results/gpt/gpt_mc.json --model gpt-4o-official
  mediconfusion probe run --model replay:gpt-4o-official      # re-parse and re-score its replies`,
    )
    .action(
      async (
        file: string,
        options: { model: string; protocol?: Protocol; threshold: number; dataset?: string },
      ) => {
        await probeImport(ctx, file, options);
      },
    );
}

function openProbeStore(ctx: CliContext): Promise<Store> {
  return openStore(ctx.config().storeUrl, { cwd: ctx.cwd, log: ctx.log() });
}

/** Runs `use` with the store (`opening`, when its opening has already started), then closes it. */
async function withStore<T>(
  ctx: CliContext,
  use: (stores: ProbeStores, store: Store) => Promise<T>,
  opening: Promise<Store> = openProbeStore(ctx),
): Promise<T> {
  const store = await opening;
  try {
    return await use(probeStores(store), store);
  } finally {
    await store.close();
  }
}

/** A dataset folder (official layout) or a custom set file; the prompts always come from a data folder. */
async function loadSet(
  ctx: CliContext,
  dataset: string | undefined,
): Promise<{ set: PairSet; dataDir: string }> {
  const target = dataset ? path.resolve(ctx.cwd, dataset) : ctx.config().dataDir;
  let isFile = false;
  try {
    isFile = (await stat(target)).isFile();
  } catch {
    throw new UserFacingError(
      'DATASET_MISSING',
      `No dataset at ${target}. Run \`mediconfusion data fetch\`, or pass --dataset with a data folder or a custom set file.`,
    );
  }
  if (isFile) {
    const { loadCustomSetStrict } = await import('../dataset/custom.js');
    return { set: await loadCustomSetStrict(target), dataDir: ctx.config().dataDir };
  }
  return { set: await loadOfficialSetStrict(target), dataDir: target };
}

async function modelsFileFor(ctx: CliContext, file: string | undefined): Promise<ModelsFile> {
  return loadModelsFile(file ? path.resolve(ctx.cwd, file) : ctx.config().modelsFile);
}

function probeModel(adapter: ModelAdapter, config: ModelConfig | null): ProbeModel {
  return {
    adapter,
    promptKey: config?.promptKey ?? null,
    concurrency: config?.concurrency ?? 16,
    rpm: config?.rpm ?? null,
    price: config?.price ?? null,
    timeoutMs: config?.timeoutMs ?? 120_000,
    maxTokens: config !== null && 'maxTokens' in config ? (config.maxTokens ?? null) : null,
  };
}

/** The command that asks a run's ERROR images again. */
function retryCommand(options: RunOptions): string {
  const parts = ['mediconfusion probe run', `--model ${options.model}`];
  if (options.protocol !== 'mc') parts.push(`--protocol ${options.protocol}`);
  if (options.judge !== undefined) parts.push(`--judge ${options.judge}`);
  if (options.category !== undefined) parts.push(`--category ${JSON.stringify(options.category)}`);
  if (options.pairs !== undefined) parts.push(`--pairs ${options.pairs}`);
  if (options.seed !== undefined) parts.push(`--seed ${options.seed}`);
  if (options.dataset !== undefined) parts.push(`--dataset ${options.dataset}`);
  if (options.models !== undefined) parts.push(`--models ${options.models}`);
  if (options.temperature !== undefined) parts.push(`--temperature ${options.temperature}`);
  if (options.maxTokens !== undefined) parts.push(`--max-tokens ${options.maxTokens}`);
  parts.push('--retry-errors');
  return parts.join(' ');
}

async function resolveModel(
  ctx: CliContext,
  stores: ProbeStores,
  id: string,
  modelsFile: () => Promise<ModelsFile>,
): Promise<ProbeModel> {
  // Replaying is the exception: its modules load only when asked for.
  const replaying = async () => {
    const [{ findRecordedRun }, { createRecordedRunAdapter }] = await Promise.all([
      import('../probe/recorded-runs.js'),
      import('../probe/replay.js'),
    ]);
    return { findRecordedRun, createRecordedRunAdapter };
  };
  if (id.startsWith(REPLAY_PREFIX)) {
    const { findRecordedRun, createRecordedRunAdapter } = await replaying();
    const record = await findRecordedRun(stores, id.slice(REPLAY_PREFIX.length));
    return probeModel(
      createRecordedRunAdapter({ id: `replay-${record.id}`, runId: record.id, items: stores.items }),
      null,
    );
  }
  const config = findModel(await modelsFile(), id);
  const adapter = await createAdapter(config, ctx.env, {
    runsDir: ctx.config().runsDir,
    factories: {
      replay: async (model) => {
        const { findRecordedRun, createRecordedRunAdapter } = await replaying();
        const record = await findRecordedRun(stores, model.run);
        return createRecordedRunAdapter({ id: model.id, runId: record.id, items: stores.items });
      },
    },
  });
  return probeModel(adapter, config);
}

async function probeRun(ctx: CliContext, options: RunOptions): Promise<void> {
  if (options.protocol === 'ff' && options.judge === undefined) {
    throw new UserFacingError(
      'PROBE_JUDGE_MISSING',
      'The ff protocol needs a judge: add --judge <model id>.',
    );
  }
  if (options.logprobs && options.protocol !== 'mc') {
    throw new UserFacingError(
      'PROBE_OPTION_INVALID',
      '--logprobs adds confidence to --protocol mc; greedy and prefix always read probabilities, ff has none.',
    );
  }
  if (options.seed !== undefined && options.pairs === undefined) {
    throw new UserFacingError(
      'PROBE_OPTION_INVALID',
      '--seed picks a sample for --pairs; give --pairs N too.',
    );
  }
  const log = ctx.log();
  // The store opens (its queries run on SQLite's own threads) while the dataset is read and checked.
  const opening = openProbeStore(ctx);
  // Its failure is reported once awaited below; until then it must not count as unhandled.
  opening.catch(() => undefined);
  let prepared: Awaited<ReturnType<typeof prepareProbeSet>>;
  try {
    prepared = await prepareProbeSet(ctx, options);
  } catch (err) {
    // The dataset's problem is the one to report; the store, if it opened, is closed again.
    await opening.then(
      (store) => store.close(),
      () => undefined,
    );
    throw err;
  }
  const { set, dataDir, prompts, coverage } = prepared;

  await withStore(
    ctx,
    async (stores, store) => {
      let models: Promise<ModelsFile> | undefined;
      const modelsFile = () => {
        models ??= modelsFileFor(ctx, options.models);
        return models;
      };
      const model = await resolveModel(ctx, stores, options.model, modelsFile);
      const judge =
        options.protocol === 'ff' && options.judge !== undefined
          ? await resolveModel(ctx, stores, options.judge, modelsFile)
          : null;

      const runsDir = ctx.config().runsDir;

      // First Ctrl-C: stop scheduling and let requests in flight finish; second: abort those too.
      const stopController = new AbortController();
      const abortController = new AbortController();
      // Every request in flight listens to the abort signal (the SDKs add one listener each).
      setMaxListeners(0, abortController.signal);
      const display = options.progress
        ? (await import('../probe/progress.js')).createProgressDisplay({
            stream: ctx.err,
            total: set.pairs.length * 2,
            log,
          })
        : null;
      const say = (text: string) => (display ? display.status(text) : ctx.err.write(`${text}\n`));
      const onSigint = () => {
        if (!stopController.signal.aborted) {
          say('Stopping: waiting for the requests in flight (Ctrl-C again aborts them)');
          stopController.abort();
        } else {
          say('Aborting the requests in flight…');
          abortController.abort();
        }
      };
      process.on('SIGINT', onSigint);
      // Log lines between redraws would garble the bar: below warnings, the bar says it all.
      const runLog = display?.isBar ? log.child({}, { level: 'warn' }) : log;
      let run: Awaited<ReturnType<typeof runProbe>>;
      try {
        run = await runProbe({
          set,
          selection: {
            category: options.category ?? null,
            pairs: options.pairs ?? null,
            seed: options.seed ?? null,
          },
          coverage,
          dataDir,
          protocol: options.protocol,
          variant: options.variant,
          ...(options.logprobs ? { logprobs: true } : {}),
          model,
          judge,
          judgeTemperature: options.judgeTemperature,
          prompts,
          threshold: options.threshold,
          ...(options.concurrency !== undefined ? { concurrency: options.concurrency } : {}),
          ...(options.timeout !== undefined ? { timeoutMs: options.timeout } : {}),
          backoff: { ...DEFAULT_BACKOFF, maxAttempts: options.maxAttempts, baseMs: options.retryBaseMs },
          maxRequests: options.maxRequests ?? null,
          maxCostUsd: options.maxCost ?? null,
          retryErrors: options.retryErrors ?? false,
          stores,
          outDir: options.out ? path.resolve(ctx.cwd, options.out) : null,
          defaultOutDir: (runId) => path.join(runsDir, runId),
          continueRun: !options.newRun,
          generation: {
            ...(options.temperature !== undefined ? { temperature: options.temperature } : {}),
            ...(options.maxTokens !== undefined ? { maxTokens: options.maxTokens } : {}),
          },
          log: runLog,
          ...(display ? { onProgress: (s) => display.update(s) } : {}),
          stopSignal: stopController.signal,
          abortSignal: abortController.signal,
        });
      } catch (err) {
        if (err instanceof RunBusyError) {
          throw new UserFacingError(
            'PROBE_RUN_BUSY',
            `${err.message}. Wait for it, stop it, or pass --new-run to record a separate run.`,
          );
        }
        throw err;
      } finally {
        display?.stop();
        process.off('SIGINT', onSigint);
      }

      const { record } = run;
      const outDir = record.outDir ?? path.join(runsDir, record.id);
      // The run is stored: the store is closed (a checkpoint on SQLite) while the result files are written.
      const closing = store.close();
      closing.catch(() => undefined);
      await writeResultFiles(outDir, set, record, run.results, run.score);
      ctx.out.write(renderRunReport(record));
      await reportCalibration(ctx, record, run.results, path.join(outDir, RELIABILITY_CHART_FILE));
      if (record.status === 'failed') {
        ctx.err.write(
          `error: the run stopped at once: ${record.failure?.message ?? 'the model cannot be asked'}\n` +
            'Fix the models file or the environment, then run the same command again to continue this run.\n',
        );
        ctx.exitCode = EXIT.config;
      } else if (record.status === 'interrupted') {
        ctx.exitCode = EXIT.interrupted;
      } else if (record.counts.error > 0) {
        ctx.out.write(
          `${record.counts.error} image(s) ended in ERROR (reasons in ${path.join(outDir, 'images.csv')}). To ask only those again:\n  ${retryCommand(options)}\n`,
        );
        ctx.exitCode = EXIT.someErrors;
      }
      await closing;
    },
    opening,
  );
}

/** The pairs to ask and the prompts to ask them with. */
async function prepareProbeSet(ctx: CliContext, options: RunOptions) {
  const { set: loadedSet, dataDir } = await loadSet(ctx, options.dataset);
  const prompts = await loadPromptsFile(dataDir);
  // A partial download: ask the complete pairs only, and say so in the record and the report.
  const { set: fullSet, coverage } = await askablePairs(loadedSet);
  const set = selectPairs(fullSet, {
    ...(options.category !== undefined ? { category: options.category } : {}),
    ...(options.pairs !== undefined ? { pairs: options.pairs } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  return { set, dataDir, prompts, coverage };
}

function setAccuracy(record: RunRecord): string {
  const all = record.summary?.rounded[ALL_ROW];
  return all ? all.set_acc.toFixed(2) : '-';
}

async function probeList(ctx: CliContext, options: { models?: string; json?: boolean }): Promise<void> {
  let models: ModelConfig[] = [];
  let modelsNote: string | null = null;
  try {
    models = (await modelsFileFor(ctx, options.models)).models;
  } catch (err) {
    if (!isUserFacingError(err)) throw err;
    modelsNote = err.message;
    // No models file yet is normal (runs can still be listed); a broken one is a mistake to fix, shown in
    // full with its lines, and the command fails as `probe run` would.
    if (err.code !== 'MODELS_FILE_MISSING') {
      ctx.err.write(`error: ${err.message}\n`);
      ctx.exitCode = 1;
    }
  }
  const runs = await withStore(ctx, async (stores) => {
    const list: RunRecord[] = [];
    for await (const [, record] of stores.runs.entries()) list.push(record);
    return list.sort((a, b) => a.startedAt.localeCompare(b.startedAt));
  });

  if (options.json) {
    ctx.out.write(
      `${JSON.stringify(
        {
          models: models.map((m) => ({
            id: m.id,
            provider: m.provider,
            model: 'model' in m ? (m.model ?? null) : null,
            concurrency: m.concurrency,
            rpm: m.rpm,
            price: m.price,
          })),
          modelsError: modelsNote,
          runs: runs.map((r) => ({
            id: r.id,
            kind: r.kind,
            model: r.model.id,
            protocol: r.protocol,
            status: effectiveStatus(r),
            startedAt: r.startedAt,
            finishedAt: r.finishedAt,
            counts: r.counts,
            setAccuracy: r.summary?.rounded[ALL_ROW]?.set_acc ?? null,
            costUsd: r.usage.costUsd,
          })),
        },
        null,
        2,
      )}\n`,
    );
    return;
  }

  ctx.out.write('Models\n');
  if (modelsNote !== null)
    ctx.out.write(
      ctx.exitCode === 0 ? `  (${modelsNote})\n` : '  (the models file has problems: see the error above)\n',
    );
  for (const m of models) {
    const name = 'model' in m && m.model ? ` ${m.model}` : '';
    const base = 'baseURL' in m && m.baseURL ? ` at ${m.baseURL}` : '';
    ctx.out.write(
      `  ${m.id}: ${m.provider}${name}${base}, concurrency ${m.concurrency}${m.rpm ? `, ${m.rpm} rpm` : ''}\n`,
    );
  }
  ctx.out.write('\nRuns\n');
  if (runs.length === 0) ctx.out.write('  none yet: `mediconfusion probe run --model ID`\n');
  const rows = runs.map((r) => [
    r.id,
    r.kind,
    r.model.id,
    r.protocol,
    effectiveStatus(r),
    r.startedAt.slice(0, 19).replace('T', ' '),
    `${r.counts.answered}/${r.counts.invalid}/${r.counts.error}/${r.counts.pending}`,
    setAccuracy(r),
  ]);
  if (rows.length > 0) {
    const header = [
      'run',
      'kind',
      'model',
      'protocol',
      'status',
      'started (UTC)',
      'ans/inv/err/pend',
      'set acc.',
    ];
    const table = [header, ...rows];
    const widths = header.map((_, i) => Math.max(...table.map((row) => (row[i] ?? '').length)));
    for (const row of table) {
      ctx.out.write(
        `  ${row
          .map((cell, i) => cell.padEnd(widths[i] ?? 0))
          .join('  ')
          .trimEnd()}\n`,
      );
    }
  }
}

/** A run's per-image results in set order (pair order, image 1 then 2). */
async function runResults(stores: ProbeStores, record: RunRecord): Promise<ImageResult[]> {
  const byKey = new Map<string, ImageResult>();
  for await (const [key, item] of stores.items.entries(`${record.id}/`)) byKey.set(key, item);
  const results: ImageResult[] = [];
  for (const pairId of record.pairIds) {
    for (const slot of [0, 1] as const) {
      const item = byKey.get(`${record.id}/${pairId}/${slot}`);
      if (item) results.push(item);
    }
  }
  return results;
}

/** The calibration section and, where a file is given, the reliability chart; nothing without confidences. */
async function reportCalibration(
  ctx: CliContext,
  record: RunRecord,
  results: readonly ImageResult[],
  chartFile: string | null,
): Promise<void> {
  const calibration = runCalibration(results);
  if (calibration.calibration === null) return;
  ctx.out.write(renderCalibrationSection(calibration));
  if (chartFile === null) return;
  // Imported here, not at the top: ECharts and resvg are heavy, and a run without confidences never draws.
  const { renderReliabilityChart } = await import('../charts/reliability-chart.js');
  const chart = await renderReliabilityChart({
    title: `${record.model.id} · ${record.protocol}${record.variant === 'official' ? '' : ` · ${record.variant}`}`,
    calibration: calibration.calibration,
  });
  try {
    await mkdir(path.dirname(chartFile), { recursive: true });
    await writeFile(chartFile, chart.png);
  } catch (err) {
    throw new UserFacingError(
      'PROBE_OUTPUT_UNWRITABLE',
      `Cannot write the reliability chart to ${chartFile}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  ctx.out.write(`  Reliability chart: ${chartFile}\n`);
}

async function probeReport(
  ctx: CliContext,
  runId: string,
  options: { json?: boolean; chart?: string },
): Promise<void> {
  await withStore(ctx, async (stores) => {
    const record = await stores.runs.get(runId);
    if (record === undefined) {
      const known: string[] = [];
      for await (const [id] of stores.runs.entries()) known.push(id);
      throw new UserFacingError(
        'RUN_UNKNOWN',
        `No recorded run "${runId}".${known.length ? ` Recorded runs: ${known.slice(-10).join(', ')}.` : ' No run is recorded yet.'}`,
      );
    }
    const results = await runResults(stores, record);
    if (!options.json) {
      ctx.out.write(renderRunReport({ ...record, status: effectiveStatus(record) }));
      const chart = options.chart ? path.resolve(ctx.cwd, options.chart) : null;
      await reportCalibration(ctx, record, results, chart);
      return;
    }
    ctx.out.write(`${JSON.stringify({ run: record, results }, null, 2)}\n`);
  });
}

async function probeCompare(
  ctx: CliContext,
  runIds: string[],
  options: { dataset?: string; json?: boolean },
): Promise<void> {
  if (runIds.length < 2) {
    throw new UserFacingError('PROBE_OPTION_INVALID', 'probe compare needs at least two run ids.');
  }
  const [{ set }, { findRecordedRun }, { compareRuns, renderComparison }] = await Promise.all([
    loadSet(ctx, options.dataset),
    import('../probe/recorded-runs.js'),
    import('../probe/compare.js'),
  ]);
  const runs = await withStore(ctx, async (stores) => {
    const loaded = [];
    for (const id of runIds) {
      const record = await findRecordedRun(stores, id);
      loaded.push({ record, results: await runResults(stores, record) });
    }
    return loaded;
  });
  const models = new Set(runs.map((r) => r.record.model.id));
  const comparison = compareRuns(set, runs);
  if (options.json) {
    ctx.out.write(`${JSON.stringify(comparison, null, 2)}\n`);
    return;
  }
  ctx.out.write(renderComparison(comparison));
  if (models.size > 1) {
    ctx.out.write(
      `Note: these runs are of different models (${[...models].join(', ')}); flips then compare models.\n`,
    );
  }
}

async function probeImport(
  ctx: CliContext,
  file: string,
  options: { model: string; protocol?: Protocol; threshold: number; dataset?: string },
): Promise<void> {
  const source = path.resolve(ctx.cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(source, 'utf8'));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new UserFacingError('IMPORT_UNREADABLE', `Cannot read ${file}: ${reason}.`, { cause: err });
  }
  const [
    { set, dataDir },
    { detectProtocol, detectVariant, importOfficialAnswers, parseOfficialAnswersFile },
  ] = await Promise.all([loadSet(ctx, options.dataset), import('../probe/import.js')]);
  const data = parseOfficialAnswersFile(raw, file, set);
  const protocol = options.protocol ?? detectProtocol(source, data);
  await withStore(ctx, async (stores) => {
    const { record } = await importOfficialAnswers({
      runId: newRunId(options.model, protocol, new Date(), detectVariant(source)),
      variant: detectVariant(source),
      modelName: options.model,
      source,
      set,
      data,
      protocol,
      threshold: options.threshold,
      stores,
      dataDir,
    });
    ctx.out.write(renderRunReport(record));
    ctx.out.write(
      `\nImported as run ${record.id}. Replay it through the probe's parser and scorer with:\n` +
        `  mediconfusion probe run --model replay:${options.model} --protocol ${protocol}` +
        (protocol === 'ff' ? ` --judge replay:${options.model}` : '') +
        '\n',
    );
  });
}
