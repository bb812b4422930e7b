import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseModelsFile } from '../../src/adapters/models-file.js';
import { createAdapter } from '../../src/adapters/registry.js';
import type { ModelAdapter } from '../../src/adapters/types.js';
import { UserFacingError } from '../../src/errors.js';
import { createReplayAdapter } from '../../src/probe/replay.js';
import { start as startAnthropic } from '../support/fake-anthropic.js';
import { type FakeServer, start } from '../support/fake-openai.js';
import { answerRequest } from './requests.js';

function onlyModel(yaml: string) {
  const model = parseModelsFile(`models:\n${yaml}`, 'models.yaml').models[0];
  if (!model) throw new Error('no model');
  return model;
}

let fake: FakeServer;
beforeAll(async () => {
  fake = await start();
});
afterAll(async () => {
  await fake.close();
});

describe('registry', () => {
  it('fails fast with a UserFacingError naming the missing key variable', async () => {
    const model = onlyModel('  - { id: gpt-4o, provider: openai, model: gpt-4o, apiKeyEnv: MY_OPENAI_KEY }');
    const attempt = createAdapter(model, {});
    await expect(attempt).rejects.toBeInstanceOf(UserFacingError);
    await expect(attempt).rejects.toThrow(
      'Model "gpt-4o" needs the environment variable MY_OPENAI_KEY (apiKeyEnv in the models file), but it is not set.',
    );
  });

  it('treats an empty variable as missing', async () => {
    const model = onlyModel('  - { id: gpt-4o, provider: openai, model: gpt-4o, apiKeyEnv: MY_OPENAI_KEY }');
    await expect(createAdapter(model, { MY_OPENAI_KEY: '' })).rejects.toThrow('MY_OPENAI_KEY');
  });

  it('names a missing variable behind a header', async () => {
    const model = onlyModel(
      '  - { id: az, provider: openai, model: gpt-4o, noAuth: true, headers: { api-key: { env: AZURE_KEY } } }',
    );
    await expect(createAdapter(model, {})).rejects.toThrow(
      'Model "az" needs the environment variable AZURE_KEY (header "api-key" in the models file), but it is not set.',
    );
  });

  it('sends the key from the named variable and header values from theirs', async () => {
    const model = onlyModel(
      `  - id: az
    provider: openai
    model: gpt-4o
    baseURL: ${fake.url}
    apiKeyEnv: MY_OPENAI_KEY
    headers: { x-org: { env: ORG_ID }, x-title: probe }`,
    );
    const adapter = await createAdapter(model, { MY_OPENAI_KEY: 'sk-from-env', ORG_ID: 'org-42' });
    const result = await adapter.complete(await answerRequest());
    expect(result.ok).toBe(true);
    const headers = fake.requests.at(-1)?.headers;
    expect(headers?.authorization).toBe('Bearer sk-from-env');
    expect(headers?.['x-org']).toBe('org-42');
    expect(headers?.['x-title']).toBe('probe');
  });

  it('ignores OPENAI_BASE_URL and OPENAI_API_KEY in the process environment: the models file decides', async () => {
    const saved = { url: process.env.OPENAI_BASE_URL, key: process.env.OPENAI_API_KEY };
    process.env.OPENAI_BASE_URL = 'http://127.0.0.1:9/v1';
    process.env.OPENAI_API_KEY = 'sk-process-env';
    try {
      const model = onlyModel(
        `  - { id: local, provider: openai, model: llava, baseURL: "${fake.url}", noAuth: true }`,
      );
      const result = await (await createAdapter(model, {})).complete(await answerRequest());
      expect(result.ok).toBe(true);
      expect(fake.requests.at(-1)?.headers).not.toHaveProperty('authorization');
    } finally {
      process.env.OPENAI_BASE_URL = saved.url;
      process.env.OPENAI_API_KEY = saved.key;
      if (saved.url === undefined) delete process.env.OPENAI_BASE_URL;
      if (saved.key === undefined) delete process.env.OPENAI_API_KEY;
    }
  });

  it('exposes the identity used for caching, without credentials', async () => {
    const model = onlyModel(
      `  - { id: gpt, provider: openai, model: gpt-4o, baseURL: "${fake.url}", apiKeyEnv: MY_OPENAI_KEY }`,
    );
    const adapter = await createAdapter(model, { MY_OPENAI_KEY: 'sk-secret-identity' });
    expect(adapter.identity).toEqual({ provider: 'openai', baseURL: fake.url, model: 'gpt-4o' });
    expect(JSON.stringify(adapter.identity)).not.toContain('sk-secret-identity');
  });

  it('builds an anthropic adapter that sends the key from its variable', async () => {
    const anthropic = await startAnthropic();
    try {
      const model = onlyModel(
        `  - { id: claude, provider: anthropic, model: claude-sonnet-4-6, baseURL: "${anthropic.url}", apiKeyEnv: MY_ANTHROPIC_KEY }`,
      );
      await expect(createAdapter(model, {})).rejects.toThrow('MY_ANTHROPIC_KEY');
      const adapter = await createAdapter(model, { MY_ANTHROPIC_KEY: 'sk-ant-from-env' });
      expect(await adapter.complete(await answerRequest())).toMatchObject({ ok: true, text: 'A' });
      expect(anthropic.requests.at(-1)?.call?.credential).toBe('sk-ant-from-env');
    } finally {
      await anthropic.close();
    }
  });

  it('builds the random baseline with no environment at all', async () => {
    const adapter = await createAdapter(onlyModel('  - { id: coin, provider: random, seed: 3 }'), {});
    expect(adapter.id).toBe('coin');
    expect(adapter.identity.provider).toBe('random');
  });

  it("builds replay from the run files with the probe's reader, reading nothing until asked", async () => {
    const model = onlyModel('  - { id: again, provider: replay, run: run-1 }');
    const adapter = await createAdapter(
      model,
      {},
      { runsDir: '/nonexistent/runs', factories: { replay: createReplayAdapter } },
    );
    expect(adapter.identity).toEqual({ provider: 'replay', baseURL: null, model: 'run-1' });
  });

  it('refuses a replay model without a run reader, naming the model', async () => {
    const model = onlyModel('  - { id: again, provider: replay, run: run-1 }');
    await expect(createAdapter(model, {}, { runsDir: '/nonexistent/runs' })).rejects.toThrow('"again"');
  });

  it('uses a factory supplied for a provider, e.g. replay', async () => {
    const model = onlyModel('  - { id: again, provider: replay, run: run-1 }');
    const stub: ModelAdapter = {
      id: 'again',
      identity: { provider: 'replay', baseURL: null, model: 'run-1' },
      reasoning: false,
      complete: async () => ({
        ok: true,
        text: 'A',
        usage: { inputTokens: 0, outputTokens: 0 },
        latencyMs: 0,
      }),
    };
    const adapter = await createAdapter(model, {}, { factories: { replay: (m) => ({ ...stub, id: m.id }) } });
    expect(adapter.identity.model).toBe('run-1');
  });
});
