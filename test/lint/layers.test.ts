import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/paths.js';

/**
 * The layer rule `npm run lint` enforces (biome's noRestrictedImports, per folder in biome.json): each case
 * writes one source file into a scratch copy of the project's lint configuration and runs the real biome
 * on it, so a forbidden import fails the lint and an allowed one passes.
 */

const run = promisify(execFile);
const BIOME = path.join(ROOT, 'node_modules', '.bin', 'biome');
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'lint-layers-'));
  const config = JSON.parse(await readFile(path.join(ROOT, 'biome.json'), 'utf8')) as Record<string, unknown>;
  // The scratch folder is not a git checkout.
  delete config.vcs;
  await writeFile(path.join(dir, 'biome.json'), JSON.stringify(config));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Lints source files (path under the scratch project → text) written in place of any earlier ones. */
async function lintFiles(files: Record<string, string>): Promise<{ ok: boolean; output: string }> {
  await rm(path.join(dir, 'src'), { recursive: true, force: true });
  for (const [file, source] of Object.entries(files)) {
    const target = path.join(dir, file);
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, source);
  }
  try {
    const { stdout, stderr } = await run(BIOME, ['lint', ...Object.keys(files)], { cwd: dir });
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const { stdout = '', stderr = '' } = err as { stdout?: string; stderr?: string };
    return { ok: false, output: stdout + stderr };
  }
}

function lint(file: string, source: string): Promise<{ ok: boolean; output: string }> {
  return lintFiles({ [file]: source });
}

describe('npm run lint enforces the layers', () => {
  it.each([
    [
      'the engine importing discord.js',
      'src/quiz/leak.ts',
      "import { Client } from 'discord.js';\nexport const c = Client;\n",
    ],
    [
      'the engine importing ws',
      'src/quiz/leak.ts',
      "import WebSocket from 'ws';\nexport const w = WebSocket;\n",
    ],
    [
      'the engine importing a front end',
      'src/quiz/leak.ts',
      "import { QuizRooms } from '../web/quiz-rooms.js';\nexport const r = QuizRooms;\n",
    ],
    [
      'scoring importing the store',
      'src/scoring/leak.ts',
      "import { openStore } from '../store/index.js';\nexport const o = openStore;\n",
    ],
    [
      'the dataset importing the engine',
      'src/dataset/leak.ts',
      "import { QuizEngine } from '../quiz/engine.js';\nexport const q = QuizEngine;\n",
    ],
    [
      "a front end reading the engine's store keys",
      'src/web/leak.ts',
      "import { answerKey } from '../quiz/store-layout.js';\nexport const k = answerKey;\n",
    ],
    [
      "a front end reading the baseline's store keys",
      'src/bot/leak.ts',
      "import { baselineCollections } from '../baseline/store-layout.js';\nexport const b = baselineCollections;\n",
    ],
    [
      "the baseline reading the quiz's store keys",
      'src/baseline/leak.ts',
      "import { answerKey } from '../quiz/store-layout.js';\nexport const k = answerKey;\n",
    ],
    [
      "the baseline reading the quiz's stored records",
      'src/baseline/leak.ts',
      "import type { AnswerRecord } from '../quiz/records.js';\nexport type A = AnswerRecord;\n",
    ],
    [
      "the baseline reading the quiz's per-person index",
      'src/baseline/leak.ts',
      "import { PersonIndex } from '../quiz/person-index.js';\nexport const p = PersonIndex;\n",
    ],
    [
      'a model adapter importing the probe',
      'src/adapters/leak.ts',
      "import { itemKey } from '../probe/records.js';\nexport const k = itemKey;\n",
    ],
    [
      'the Discord front end importing the web front end',
      'src/bot/leak.ts',
      "import { QuizRooms } from '../web/quiz-rooms.js';\nexport const r = QuizRooms;\n",
    ],
    [
      'the web front end importing the Discord front end',
      'src/web/leak.ts',
      "import { DiscordQuiz } from '../bot/quiz-front-end.js';\nexport const d = DiscordQuiz;\n",
    ],
    [
      'the Discord front end importing its commands (they import it)',
      'src/bot/leak.ts',
      "import { COMMANDS } from '../commands/index.js';\nexport const c = COMMANDS;\n",
    ],
    [
      'a front end importing the composition root',
      'src/web/leak.ts',
      "import { createQuizModels } from '../app/model-answers.js';\nexport const m = createQuizModels;\n",
    ],
  ])('fails on %s', async (_what, file, source) => {
    const { ok, output } = await lint(file, source);
    expect(ok).toBe(false);
    expect(output).toContain('noRestrictedImports');
    expect(output).toContain('Layers:');
  });

  it.each([
    [
      'the engine importing the dataset and scoring',
      'src/quiz/fine.ts',
      "import { OPTIONS } from '../dataset/model.js';\nexport const o = OPTIONS;\n",
    ],
    [
      'a front end importing the engine',
      'src/web/fine.ts',
      "import { QuizEngine } from '../quiz/engine.js';\nexport const q = QuizEngine;\n",
    ],
    [
      'a front end importing discord.js',
      'src/bot/fine.ts',
      "import { Client } from 'discord.js';\nexport const c = Client;\n",
    ],
    [
      "the baseline reading quiz answers through the quiz layer's archive",
      'src/baseline/fine.ts',
      "import { QuizArchive } from '../quiz/quiz-archive.js';\nexport const a = QuizArchive;\n",
    ],
    [
      'the composition root importing both front ends and the commands',
      'src/app/fine.ts',
      "import { runBot } from '../bot/run.js';\nimport { COMMANDS } from '../commands/index.js';\nimport { startWebServer } from '../web/server.js';\nexport const all = [runBot, COMMANDS, startWebServer];\n",
    ],
    [
      'a Discord command importing the Discord front end',
      'src/commands/fine.ts',
      "import { UNKNOWN_COMPONENT } from '../bot/interaction-router.js';\nexport const u = UNKNOWN_COMPONENT;\n",
    ],
  ])('passes %s', async (_what, file, source) => {
    const { ok, output } = await lint(file, source);
    expect(output).not.toContain('noRestrictedImports');
    expect(ok).toBe(true);
  });
});

describe('npm run lint refuses import cycles', () => {
  it('between modules importing values from each other', async () => {
    const { ok, output } = await lintFiles({
      'src/probe/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/probe/b.ts': "import { a } from './a.js';\nexport const b = () => a;\n",
    });
    expect(output).toContain('noImportCycles');
    expect(ok).toBe(false);
  });

  it('made of type-only imports too: each module should own its types', async () => {
    const { ok, output } = await lintFiles({
      'src/probe/a.ts': "import type { B } from './b.js';\nexport interface A {\n  b?: B;\n}\n",
      'src/probe/b.ts': "import type { A } from './a.js';\nexport interface B {\n  a?: A;\n}\n",
    });
    expect(output).toContain('noImportCycles');
    expect(ok).toBe(false);
  });

  it('but not a one-way import', async () => {
    const { ok, output } = await lintFiles({
      'src/probe/a.ts': "import { b } from './b.js';\nexport const a = () => b;\n",
      'src/probe/b.ts': 'export const b = 1;\n',
    });
    expect(output).not.toContain('noImportCycles');
    expect(ok).toBe(true);
  });
});
