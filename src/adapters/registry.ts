import { UserFacingError } from '../errors.js';
import type { AnthropicAdapterOptions } from './anthropic.js';
import type { HeaderValue, ModelConfig, ProviderName } from './models-file.js';
import { createRandomAdapter } from './random.js';
import type { ModelAdapter } from './types.js';

/**
 * Builds the adapter for a models-file entry. This is the one place where secrets are read: the
 * config carries environment variable NAMES, and the values go straight into the SDK client.
 */

export type EnvSource = Record<string, string | undefined>;

export type ConfigOf<P extends ProviderName> = Extract<ModelConfig, { provider: P }>;

export type AdapterFactory<C extends ModelConfig = ModelConfig> = (
  model: C,
  env: EnvSource,
  extras: AdapterExtras,
) => ModelAdapter | Promise<ModelAdapter>;

export interface AdapterExtras {
  /**
   * Replaces the factory of a provider. `replay` has no default here: it reads the probe's recorded runs,
   * so the probe passes its reader (src/probe/replay.ts: the store, or a run's result file under `runsDir`).
   */
  factories?: { [P in ProviderName]?: AdapterFactory<ConfigOf<P>> };
  /** Where stored runs live (`RUNS_DIR`), for the replay provider. */
  runsDir?: string;
}

/** The value of a variable named in the models file; a missing or empty one fails fast, naming it. */
export function readSecret(env: EnvSource, name: string, modelId: string, role: string): string {
  const value = env[name];
  if (value === undefined || value === '') {
    throw new UserFacingError(
      'CREDENTIAL_MISSING',
      `Model "${modelId}" needs the environment variable ${name} (${role} in the models file), but it is not set.`,
    );
  }
  return value;
}

function resolveHeaders(
  headers: Record<string, HeaderValue> | undefined,
  env: EnvSource,
  modelId: string,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(headers ?? {}).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : readSecret(env, value.env, modelId, `header "${name}"`),
    ]),
  );
}

function apiKeyOf(model: { id: string; apiKeyEnv?: string | undefined; noAuth: boolean }, env: EnvSource) {
  if (model.noAuth || model.apiKeyEnv === undefined) return null;
  return readSecret(env, model.apiKeyEnv, model.id, 'apiKeyEnv');
}

/** What the OpenAI and Anthropic adapters both take from a models-file entry, secrets read from `env`. */
function sdkOptions(
  model: ConfigOf<'openai'> | ConfigOf<'anthropic'>,
  env: EnvSource,
): AnthropicAdapterOptions {
  return {
    id: model.id,
    model: model.model,
    baseURL: model.baseURL ?? null,
    apiKey: apiKeyOf(model, env),
    headers: resolveHeaders(model.headers, env, model.id),
    overrides: {
      reasoning: model.reasoning,
      sendTemperature: model.sendTemperature,
      thinkingBudget: model.thinkingBudget,
      ...(model.provider === 'openai'
        ? { tokenField: model.tokenField, reasoningEffort: model.reasoningEffort }
        : {}),
    },
    timeoutMs: model.timeoutMs,
    maxImageSide: model.maxImageSide ?? null,
  };
}

export async function createAdapter(
  model: ModelConfig,
  env: EnvSource = process.env,
  extras: AdapterExtras = {},
): Promise<ModelAdapter> {
  const factories = extras.factories ?? {};
  switch (model.provider) {
    // Each SDK is loaded on first use: a run against one provider does not pay for the other's.
    case 'openai': {
      if (factories.openai) return factories.openai(model, env, extras);
      const options = { ...sdkOptions(model, env), query: model.query ?? {} };
      const { createOpenAIAdapter } = await import('./openai.js');
      return createOpenAIAdapter(options);
    }
    case 'anthropic': {
      if (factories.anthropic) return factories.anthropic(model, env, extras);
      const options = sdkOptions(model, env);
      const { createAnthropicAdapter } = await import('./anthropic.js');
      return createAnthropicAdapter(options);
    }
    case 'random':
      if (factories.random) return factories.random(model, env, extras);
      return createRandomAdapter({ id: model.id, model: model.model, seed: model.seed });
    case 'replay': {
      // Replay reads the probe's recorded runs, a layer above the adapters: the probe supplies the reader
      // (src/probe/replay.ts), so this layer never imports the probe's record formats.
      if (factories.replay) return factories.replay(model, env, extras);
      throw new Error(
        `model "${model.id}" replays a recorded run, which needs the probe's run reader (factories.replay)`,
      );
    }
  }
}
