import path from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { z } from 'zod';
import {
  answeredPairs,
  assumedComponents,
  estimateComponents,
  INTERVAL_MINIMUM,
  type PlanRow,
  Pseudonymizer,
  plan,
  readAnswerHistory,
  readParticipants,
  resolveBaselineSecret,
  storedBaselineSecret,
  type VarianceComponents,
} from '../baseline/index.js';
import { loadPairSetStrict } from '../dataset/load.js';
import { indexPairs } from '../quiz/pairs.js';
import { openStore } from '../store/open-store.js';
import type { CliContext } from './context.js';

interface PlanOptions {
  margin: number;
  level: number;
  pairsEach?: number[];
  assume?: boolean;
  dataset?: string;
  set?: string;
  withQuiz?: boolean;
  storeSecret?: boolean;
}

const DEFAULT_PAIRS_EACH = [10, 20, 44, 88, 176];

export function registerBaseline(parent: Command, ctx: CliContext): void {
  const baseline = parent.command('baseline').description('plan and analyse the human baseline');
  baseline
    .command('plan')
    .description('how many people answering how many pairs give a 95% interval of a given half-width')
    .requiredOption(
      '--margin <points>',
      'wanted half-width of the interval, in percentage points',
      positive(50),
    )
    .option('--level <percent>', 'confidence level in percent', positive(99.9), 95)
    .option(
      '--pairs-each <list>',
      'pairs each person answers, comma-separated (default: 10,20,44,88,176)',
      counts,
    )
    .option('--assume', 'plan from the stated assumptions even when answers are recorded')
    .option(
      '--dataset <dir>',
      'folder with dataset.json and statistics.json (default: MEDICONFUSION_DATA_DIR)',
    )
    .option('--set <file>', 'plan for this custom pair set (YAML or JSON) instead of the official one')
    .option('--with-quiz', 'count quiz answers (revealed rounds) too, not only the private baseline')
    .option(
      '--store-secret',
      'use the development secret `start` generated in the store instead of BASELINE_SECRET',
    )
    .addHelpText(
      'after',
      `
Set accuracy is modelled with a person effect, a pair effect and the rest (a crossed random-effects
model); their variances are estimated from the recorded answers (at least ${INTERVAL_MINIMUM.participants} people and ${INTERVAL_MINIMUM.pairs} pairs),
otherwise assumed: accuracy 50%, 10% of the variance between people, 30% between pairs.

Examples:
  mediconfusion baseline plan --margin 5
  mediconfusion baseline plan --margin 3 --pairs-each 30,60 --assume`,
    )
    .action(async (options: PlanOptions) => {
      await runPlan(ctx, options);
    });
}

function positive(max: number) {
  return (value: string): number => {
    const parsed = z.coerce.number().positive().max(max).safeParse(value);
    if (!parsed.success) throw new InvalidArgumentError(`expected a number above 0 and at most ${max}.`);
    return parsed.data;
  };
}

function counts(value: string): number[] {
  const parsed = z
    .array(z.coerce.number().int().min(1).max(100_000))
    .min(1)
    .safeParse(
      value
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s !== ''),
    );
  if (!parsed.success)
    throw new InvalidArgumentError('expected whole numbers of pairs separated by commas, e.g. 20,40.');
  return parsed.data;
}

async function runPlan(ctx: CliContext, options: PlanOptions): Promise<void> {
  const config = ctx.config();
  const datasetDir = options.dataset ? path.resolve(ctx.cwd, options.dataset) : config.dataDir;
  const setFile = options.set ? path.resolve(ctx.cwd, options.set) : undefined;
  const set = await loadPairSetStrict(
    setFile === undefined ? { dataDir: datasetDir } : { dataDir: datasetDir, setFile },
  );
  let components: VarianceComponents | null = null;
  if (!options.assume) {
    const store = await openStore(config.storeUrl, { cwd: ctx.cwd, log: ctx.log() });
    try {
      const secret = options.storeSecret
        ? await storedBaselineSecret(store)
        : await resolveBaselineSecret({ configured: config.baselineSecret, whenMissing: 'fail', store });
      const history = await readAnswerHistory(store, set, indexPairs(set), new Pseudonymizer(secret));
      const { profiles } = await readParticipants(store);
      const { answered } = answeredPairs(
        history.rows,
        indexPairs(set),
        profiles,
        options.withQuiz ? ['baseline', 'quiz'] : ['baseline'],
      );
      components = estimateComponents(answered);
      if (components === null) {
        ctx.out.write(
          `Too few answers to estimate from (${new Set(answered.map((a) => a.participant)).size} people, ` +
            `${new Set(answered.map((a) => a.pair.id)).size} pairs; needs ${INTERVAL_MINIMUM.participants} and ${INTERVAL_MINIMUM.pairs}): ` +
            'planning from the stated assumptions.\n',
        );
      }
    } finally {
      await store.close();
    }
  }
  const c = components ?? assumedComponents();
  const setSize = set.pairs.length;
  const pairsEach = (options.pairsEach ?? DEFAULT_PAIRS_EACH).filter((k) => k <= setSize);
  const rows = plan(c, { margin: options.margin, setSize, pairsEach, level: options.level / 100 });
  ctx.out.write(describeComponents(c));
  ctx.out.write(
    `For a ${formatNumber(options.level)}% interval of ±${formatNumber(options.margin)} points on set accuracy ` +
      `(each person answering pairs spread evenly over the ${setSize} pairs of the ${set.name} set):\n`,
  );
  ctx.out.write(planTable(rows));
}

const formatNumber = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const points = (variance: number) => (Math.sqrt(variance) * 100).toFixed(1);

function describeComponents(c: VarianceComponents): string {
  const parts =
    `set accuracy ${(c.accuracy * 100).toFixed(1)}%; SD between people ${points(c.person)} points, ` +
    `between pairs ${points(c.pair)}, rest ${points(c.rest)}`;
  return c.source === 'data'
    ? `From ${c.answers} answered pairs of ${c.participants} people over ${c.pairs} pairs: ${parts}.\n`
    : `Assumed (no data used): ${parts}.\n`;
}

function planTable(rows: readonly PlanRow[]): string {
  const header = ['pairs each', 'people', 'answered pairs', 'distinct pairs', 'half-width'];
  const body = rows.map((r) =>
    r.participants === null
      ? [
          String(r.pairsEach),
          '—',
          '—',
          '—',
          `not reachable: pair-to-pair variation alone gives ±${r.floor.toFixed(1)}`,
        ]
      : [
          String(r.pairsEach),
          String(r.participants),
          String(r.answers),
          String(r.distinctPairs),
          `±${(r.halfWidth ?? 0).toFixed(2)}`,
        ],
  );
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `  ${cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')}\n`;
  return line(header) + body.map(line).join('');
}
