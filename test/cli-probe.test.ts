import { rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeWorkspace, modelsYaml, openaiModel, type Workspace } from './probe/harness.js';
import { type FakeServer, start } from './support/fake-openai.js';

let ws: Workspace;
let fake: FakeServer;

beforeAll(async () => {
  ws = await makeWorkspace();
  fake = await start();
  await ws.writeModels(modelsYaml(openaiModel('gpt', fake.url)));
});

afterAll(async () => {
  await fake?.close();
  await ws?.cleanup();
});

describe('mediconfusion probe: mistakes a user can fix', () => {
  it('documents the run options in --help', async () => {
    const run = await ws.cli(['probe', 'run', '--help']);
    expect(run.code).toBe(0);
    for (const option of [
      '--model',
      '--protocol',
      '--judge',
      '--max-cost',
      '--retry-errors',
      '--pairs',
      '--seed',
      '--out',
    ]) {
      expect(run.out).toContain(option);
    }
  });

  it('names the known models when asked for an unknown one', async () => {
    const run = await ws.cli(['probe', 'run', '--model', 'gtp']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('No model "gtp"');
    expect(run.err).toContain('Known ids: gpt');
  });

  it('fails before any request when the key variable is not set, naming it', async () => {
    const run = await ws.cli(['probe', 'run', '--model', 'gpt', '--pairs', '1'], { FAKE_KEY: '' });
    expect(run.code).toBe(1);
    expect(run.err).toContain('FAKE_KEY');
    expect(fake.requests).toHaveLength(0);
  });

  it('points at data fetch when the dataset is missing', async () => {
    const run = await ws.cli(['probe', 'run', '--model', 'gpt', '--dataset', path.join(ws.dir, 'nowhere')]);
    expect(run.code).toBe(1);
    expect(run.err).toContain('mediconfusion data fetch');
  });

  it('refuses before any request when no pair has both images, pointing at data status', async () => {
    // A partial download is played (test/partial); with nothing complete there is nothing to ask.
    const images = path.join(ws.dataDir, 'images');
    await rename(images, `${images}.away`);
    const run = await ws
      .cli(['probe', 'run', '--model', 'gpt', '--pairs', '2'])
      .finally(() => rename(`${images}.away`, images));
    expect(run.code).toBe(1);
    expect(run.err).toContain('None of the');
    expect(run.err).toContain('mediconfusion data status');
    expect(fake.requests).toHaveLength(0);
  });

  it('rejects --seed without --pairs and a non-numeric --pairs', async () => {
    const seed = await ws.cli(['probe', 'run', '--model', 'gpt', '--seed', '3']);
    expect(seed.code).toBe(1);
    expect(seed.err).toContain('--pairs');
    const pairs = await ws.cli(['probe', 'run', '--model', 'gpt', '--pairs', 'many']);
    expect(pairs.code).toBe(2);
    expect(pairs.err).toContain('a whole number');
  });

  it('reports a missing models file but still lists runs', async () => {
    const run = await ws.cli(['probe', 'list'], { MODELS_FILE: path.join(ws.dir, 'none.yaml') });
    expect(run.code).toBe(0);
    expect(run.out).toContain('No models file');
    expect(run.out).toContain('Runs');
  });

  it('shows every problem of a broken models file with its line, and fails', async () => {
    const broken = path.join(ws.dir, 'broken.yaml');
    await writeFile(
      broken,
      'models:\n  - id: one\n    provider: openai\n    concurrency: zero\n  - id: two\n    provider: nobody\n',
    );
    for (const json of [false, true]) {
      const run = await ws.cli(['probe', 'list', '--models', broken, ...(json ? ['--json'] : [])]);
      expect(run.code).toBe(1);
      expect(run.err).toMatch(/line 4, .*concurrency/);
      expect(run.err).toMatch(/line 6, .*provider/);
      expect(run.out).not.toContain('()');
    }
  });
});
