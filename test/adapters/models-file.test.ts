import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findModel, loadModelsFile, parseModelsFile } from '../../src/adapters/models-file.js';
import { UserFacingError } from '../../src/errors.js';
import { ROOT } from '../support/paths.js';

/** The UserFacingError a models-file text is rejected with. */
function rejection(text: string, file = 'models.yaml'): UserFacingError {
  try {
    parseModelsFile(text, file);
  } catch (err) {
    if (err instanceof UserFacingError) return err;
    throw err;
  }
  throw new Error('expected the models file to be rejected');
}

describe('models file', () => {
  it('accepts models.example.yaml, with an entry for every provider', async () => {
    const loaded = await loadModelsFile(path.join(ROOT, 'models.example.yaml'));
    const providers = new Set(loaded.models.map((m) => m.provider));
    expect([...providers].sort()).toEqual(['anthropic', 'openai', 'random', 'replay']);
    expect(loaded.models.some((m) => m.provider === 'openai' && m.noAuth)).toBe(true);
    expect(loaded.models.some((m) => m.provider === 'openai' && m.model.startsWith('o'))).toBe(true);
  });

  it('fills defaults: concurrency, timeout, prompt key per provider, null rpm and price', () => {
    const { models } = parseModelsFile(
      `models:
  - { id: gpt, provider: openai, model: gpt-4o, apiKeyEnv: OPENAI_API_KEY }
  - { id: claude, provider: anthropic, model: claude-sonnet-4-5, apiKeyEnv: ANTHROPIC_API_KEY }
  - { id: coin, provider: random }
  - { id: again, provider: replay, run: some-run }
`,
      'models.yaml',
    );
    expect(models.map((m) => m.promptKey)).toEqual(['gpt', 'claude', 'default', 'default']);
    expect(models[0]).toMatchObject({
      concurrency: 4,
      timeoutMs: 120_000,
      rpm: null,
      price: null,
      live: false,
    });
    expect(models[2]).toMatchObject({ provider: 'random', seed: 0 });
  });

  it('reads JSON as well as YAML', () => {
    const json = JSON.stringify({
      models: [
        {
          id: 'gpt',
          provider: 'openai',
          model: 'gpt-4o',
          apiKeyEnv: 'OPENAI_API_KEY',
          price: { input: 2.5, output: 10 },
        },
      ],
    });
    const { models } = parseModelsFile(json, 'models.json');
    expect(models[0]).toMatchObject({ id: 'gpt', price: { input: 2.5, output: 10 } });
  });

  it('keeps only the name of the key variable, never a value, in the loaded config', () => {
    const { models } = parseModelsFile(
      'models:\n  - { id: gpt, provider: openai, model: gpt-4o, apiKeyEnv: OPENAI_API_KEY }\n',
      'models.yaml',
    );
    expect(JSON.stringify(models)).toContain('"apiKeyEnv":"OPENAI_API_KEY"');
    expect(Object.keys(models[0] ?? {})).not.toContain('apiKey');
  });

  it('names the file, line, model id and field of a missing apiKeyEnv', () => {
    const err = rejection(
      `models:
  - id: coin
    provider: random
  - id: gpt-4o
    provider: openai
    model: gpt-4o
`,
      '/work/models.yaml',
    );
    expect(err.code).toBe('MODELS_FILE_INVALID');
    expect(err.message).toContain('/work/models.yaml');
    expect(err.message).toMatch(
      /line 4, models\[1\] \(id "gpt-4o"\), field "apiKeyEnv": is required for provider openai/,
    );
    expect(err.message).toContain('noAuth: true');
  });

  it('rejects a key pasted into apiKeyEnv without repeating it', () => {
    const err = rejection(
      'models:\n  - { id: gpt, provider: openai, model: gpt-4o, apiKeyEnv: sk-proj-abc123-secret }\n',
    );
    expect(err.message).toContain('field "apiKeyEnv": must be the NAME of an environment variable');
    expect(err.message).not.toContain('sk-proj-abc123-secret');
  });

  it('rejects a literal credential in a secret header and says how to reference a variable', () => {
    const err = rejection(
      'models:\n  - id: az\n    provider: openai\n    model: gpt-4o\n    noAuth: true\n    headers:\n      api-key: abcdef123456\n',
    );
    expect(err.message).toContain('field "headers.api-key": carries a credential');
    expect(err.message).toContain('{ env: VARIABLE_NAME }');
    expect(err.message).not.toContain('abcdef123456');
  });

  it('names an unknown provider and lists the valid ones', () => {
    const err = rejection('models:\n  - { id: g, provider: gemini, model: gemini-2.5-flash }\n');
    expect(err.message).toContain(
      'models[0] (id "g"), field "provider": must be one of openai, anthropic, random, replay',
    );
  });

  it('takes the capability overrides, and refuses an Anthropic thinking budget under 1024 or a bad token field', () => {
    const { models } = parseModelsFile(
      'models:\n  - { id: g, provider: openai, model: gemini-2.5-flash, noAuth: true, thinkingBudget: 8192, maxTokens: 64, tokenField: max_completion_tokens, reasoningEffort: low, sendTemperature: false }\n',
      'models.yaml',
    );
    expect(models[0]).toMatchObject({
      thinkingBudget: 8192,
      maxTokens: 64,
      tokenField: 'max_completion_tokens',
      reasoningEffort: 'low',
      sendTemperature: false,
    });
    const low = rejection(
      'models:\n  - { id: c, provider: anthropic, model: claude-sonnet-4-6, noAuth: true, thinkingBudget: 500 }\n',
    );
    expect(low.message).toContain(
      'field "thinkingBudget": must be 0 (no extended thinking) or at least 1024',
    );
    const field = rejection(
      'models:\n  - { id: g, provider: openai, model: gpt-4o, noAuth: true, tokenField: max_output_tokens }\n',
    );
    expect(field.message).toContain('field "tokenField"');
  });

  it('names a misspelt field', () => {
    const err = rejection(
      'models:\n  - { id: gpt, provider: openai, model: gpt-4o, apikeyEnv: OPENAI_API_KEY }\n',
    );
    expect(err.message).toContain('has unknown field "apikeyEnv"');
  });

  it('names both entries of a duplicated id', () => {
    const err = rejection(
      'models:\n  - { id: coin, provider: random }\n  - { id: coin, provider: random, seed: 1 }\n',
    );
    expect(err.message).toContain(
      'line 3, models[1] (id "coin"), field "id": duplicates the id of models[0]',
    );
  });

  it('reports every problem at once', () => {
    const err = rejection(
      'models:\n  - { id: a, provider: openai, model: gpt-4o }\n  - { id: b, provider: random, concurrency: 0 }\n',
    );
    expect(err.message).toContain('models[0] (id "a"), field "apiKeyEnv"');
    expect(err.message).toContain('models[1] (id "b"), field "concurrency"');
  });

  it('reports a missing required field as missing', () => {
    const err = rejection('models:\n  - { id: r, provider: replay }\n');
    expect(err.message).toContain('field "run": is missing (required)');
  });

  it('reports a YAML syntax error with its line', () => {
    const err = rejection('models:\n  - id: a\n    provider: random\n   seed: 1\n');
    expect(err.message).toMatch(/not valid YAML\/JSON:\n {2}line \d+, column \d+:/);
  });

  it('tells a user without a models file how to make one', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'models-file-'));
    const missing = path.join(dir, 'models.yaml');
    await expect(loadModelsFile(missing)).rejects.toThrow(
      /No models file at .*models\.yaml\. Copy models\.example\.yaml/,
    );
  });

  it('loads a file from disk with its absolute path in later messages', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'models-file-'));
    const file = path.join(dir, 'models.yaml');
    await writeFile(file, 'models:\n  - { id: coin, provider: random }\n');
    const loaded = await loadModelsFile(file);
    expect(() => findModel(loaded, 'gpt-5')).toThrow(`No model "gpt-5" in ${file}. Known ids: coin.`);
    expect(findModel(loaded, 'coin').provider).toBe('random');
  });
});
