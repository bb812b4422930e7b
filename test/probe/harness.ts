import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { PairSet } from '../../src/dataset/model.js';
import { loadOfficialSetStrict } from '../../src/dataset/official.js';
import type { ImageResult, RunRecord } from '../../src/probe/records.js';
import { type CliRun, runCliCaptured } from '../support/cli.js';
import { makeOfficialDataDir } from '../support/placeholder-images.js';

/**
 * A workspace for driving `mediconfusion probe` in-process: a temp folder holding a complete data folder
 * (official JSON files plus placeholder images), a SQLite store, a runs folder and a models file.
 */

export interface Workspace {
  dir: string;
  dataDir: string;
  runsDir: string;
  modelsFile: string;
  storeUrl: string;
  set: PairSet;
  env: Record<string, string>;
  /** sha256 of each placeholder image, by local id. */
  imageSha: Map<string, string>;
  writeModels(yaml: string): Promise<void>;
  cli(argv: string[], extraEnv?: Record<string, string>): Promise<CliRun>;
  /** The result files of the run printed last by `cli` (its `run.json`). */
  readRunFile(outDir: string): Promise<{ run: RunRecord; results: ImageResult[] }>;
  cleanup(): Promise<void>;
}

export async function makeWorkspace(): Promise<Workspace> {
  const dir = await mkdtemp(path.join(tmpdir(), 'probe-test-'));
  const dataDir = await makeOfficialDataDir(dir);
  const runsDir = path.join(dir, 'runs');
  const modelsFile = path.join(dir, 'models.yaml');
  const storeUrl = `sqlite://${path.join(dir, 'store.sqlite')}`;
  const set = await loadOfficialSetStrict(dataDir);
  const imageSha = new Map<string, string>();
  for (const pair of set.pairs) {
    for (const image of pair.images) {
      if (imageSha.has(image.localId)) continue;
      const bytes = await readFile(path.join(dataDir, 'images', `${image.localId}.jpg`));
      imageSha.set(image.localId, createHash('sha256').update(bytes).digest('hex'));
    }
  }
  const env = {
    LOG_LEVEL: 'silent',
    MEDICONFUSION_DATA_DIR: dataDir,
    RUNS_DIR: runsDir,
    MODELS_FILE: modelsFile,
    STORE_URL: storeUrl,
    FAKE_KEY: 'sk-test-probe',
  };
  return {
    dir,
    dataDir,
    runsDir,
    modelsFile,
    storeUrl,
    set,
    env,
    imageSha,
    async writeModels(yaml) {
      await writeFile(modelsFile, yaml);
    },
    cli(argv, extraEnv = {}) {
      return runCliCaptured(argv, { ...env, ...extraEnv }, dir);
    },
    async readRunFile(outDir) {
      return JSON.parse(await readFile(path.join(outDir, 'run.json'), 'utf8')) as {
        run: RunRecord;
        results: ImageResult[];
      };
    },
    async cleanup() {
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The run id printed in the report's first line (`Run <id>: …`). */
export function runIdFrom(out: string): string {
  const match = /^Run (\S+):/m.exec(out);
  if (!match?.[1]) throw new Error(`no run id in output:\n${out}`);
  return match[1];
}

/** A models-file entry for a fake OpenAI server. */
export function openaiModel(id: string, url: string, extra: Record<string, unknown> = {}): string {
  const fields = { provider: 'openai', model: `fake-${id}`, baseURL: url, apiKeyEnv: 'FAKE_KEY', ...extra };
  const lines = Object.entries(fields).map(([k, v]) => `    ${k}: ${JSON.stringify(v)}`);
  return `  - id: ${id}\n${lines.join('\n')}\n`;
}

export function modelsYaml(...entries: string[]): string {
  return `models:\n${entries.join('')}`;
}
