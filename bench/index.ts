/**
 * `npm run bench`: every benchmark, one after another, in one process so that figures printed side by side
 * were measured under the same conditions. `npm run bench -- probe fetch` runs only the named ones.
 * Targets are printed beside the figures; benchmarks never fail the build.
 */
import * as baseline from './baseline.js';
import * as dataset from './dataset.js';
import * as discord from './discord.js';
import * as fetch from './fetch.js';
import * as probe from './probe.js';
import * as quiz from './quiz.js';
import * as web from './web.js';

const BENCHMARKS: Record<string, { run(): Promise<void> }> = {
  dataset,
  fetch,
  probe,
  quiz,
  discord,
  web,
  baseline,
};

const requested = process.argv.slice(2);
const unknown = requested.filter((name) => !(name in BENCHMARKS));
if (unknown.length > 0) {
  process.stderr.write(
    `Unknown benchmark ${unknown.join(', ')}; choose from: ${Object.keys(BENCHMARKS).join(', ')}\n`,
  );
  process.exit(2);
}

for (const name of requested.length > 0 ? requested : Object.keys(BENCHMARKS)) {
  process.stdout.write(`\n=== ${name} ===\n`);
  await BENCHMARKS[name]?.run();
}
