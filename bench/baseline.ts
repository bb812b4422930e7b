import type { AnswerRow } from '../src/baseline/history.js';
import { buildReport } from '../src/baseline/report.js';
import { loadPairSetStrict } from '../src/dataset/load.js';
import { seededRandom } from '../src/random.js';
import { SHARED_DATASET_DIR } from '../test/support/paths.js';

/**
 * Time to build the human-baseline report for a full-size study: 30 people answering all 176 pairs, with
 * the default 2000 two-way bootstrap resamples (every category, the majority vote, agreement). Target:
 * under 15 s on a loaded 2-core machine, since `export` and the bot's `/export` wait for it.
 */

const PEOPLE = 30;

export async function run(): Promise<void> {
  const set = await loadPairSetStrict({ dataDir: SHARED_DATASET_DIR });
  const random = seededRandom(7);
  const rows: AnswerRow[] = [];
  for (let who = 0; who < PEOPLE; who++) {
    const participant = who.toString(16).padStart(64, '0');
    for (const pair of set.pairs) {
      for (const slot of [0, 1] as const) {
        const correct = pair.images[slot].correct;
        const right = random() < 0.7;
        rows.push({
          participant,
          context: 'baseline',
          sessionId: null,
          round: null,
          roundState: null,
          pairId: pair.id,
          slot,
          localId: pair.images[slot].localId,
          option: right ? correct : correct === 'A' ? 'B' : 'A',
          correct: right,
          responseMs: 1000,
          seenBefore: false,
          changes: 0,
          shownAt: 0,
          at: 1,
        });
      }
    }
  }
  const start = performance.now();
  const report = await buildReport(set, rows, new Map());
  const ms = performance.now() - start;
  console.log(
    `${`  report, ${PEOPLE} people x ${set.pairs.length} pairs, ${report.options.bootstrap.resamples} resamples`.padEnd(
      60,
    )} ${(ms / 1000).toFixed(1)} s  (target < 15 s)`,
  );
}
