import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { isNode, LineCounter, parseDocument } from 'yaml';
import { z } from 'zod';
import { UserFacingError } from '../errors.js';

/**
 * The models file (`models.yaml` or `.json`, `MODELS_FILE`): which models the probe can ask and how to
 * reach them. It holds the NAMES of the environment variables carrying keys, never keys: a loaded config
 * is safe to log, to hash into cache keys and to write into result files. Secrets are read from the
 * environment only when an adapter is built (registry.ts).
 */

export const PROVIDERS = ['openai', 'anthropic', 'random', 'replay'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** The official harness picks a prompt template by model family; these are its keys for our providers. */
export const DEFAULT_PROMPT_KEY: Record<ProviderName, string> = {
  openai: 'gpt',
  anthropic: 'claude',
  random: 'default',
  replay: 'default',
};

export const DEFAULT_CONCURRENCY = 4;
export const DEFAULT_TIMEOUT_MS = 120_000;

const envName = z
  .string()
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    'must be the NAME of an environment variable (such as OPENAI_API_KEY), not the key itself',
  );

/** Header names whose values are credentials: they must come from the environment, never the file. */
const SECRET_HEADER = /^(authorization|proxy-authorization|api-key|x-api-key|cookie)$/i;

const headerValue = z.union([z.string(), z.strictObject({ env: envName })]);
export type HeaderValue = z.infer<typeof headerValue>;

const headers = z
  .record(z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'is not a valid HTTP header name'), headerValue)
  .superRefine((record, ctx) => {
    for (const [name, value] of Object.entries(record)) {
      if (typeof value === 'string' && SECRET_HEADER.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message: `carries a credential: put it in an environment variable and write \`${name}: { env: VARIABLE_NAME }\``,
        });
      }
    }
  });

const price = z.strictObject({
  input: z.number().nonnegative(),
  output: z.number().nonnegative(),
});

const common = {
  id: z
    .string()
    .regex(
      /^[A-Za-z0-9][A-Za-z0-9._-]*$/,
      'must start with a letter or digit and contain only letters, digits, ".", "_" and "-" (it names files)',
    ),
  /** Requests in flight at once. */
  concurrency: z.int().min(1).max(256).default(DEFAULT_CONCURRENCY),
  /** Requests per minute, when the provider limits them. */
  rpm: z.number().positive().optional(),
  /** US dollars per million tokens. */
  price: price.optional(),
  /** Which official template to use (`prompts.mc.<key>`), falling back to `default` as the harness does. */
  promptKey: z.string().min(1).optional(),
  timeoutMs: z.int().min(1).default(DEFAULT_TIMEOUT_MS),
  /** Offered to Discord users for live questions. */
  live: z.boolean().default(false),
};

const http = {
  /** The model's name at the provider (`gpt-4o`, `claude-sonnet-4-5`, `llava:13b`). */
  model: z.string().min(1),
  baseURL: z.url({ protocol: /^https?$/ }).optional(),
  apiKeyEnv: envName.optional(),
  /** For local servers without authentication (Ollama, vLLM without --api-key). */
  noAuth: z.boolean().default(false),
  /** Overrides reasoning-model detection: true means no system prompt and no temperature. */
  reasoning: z.boolean().optional(),
  /** Overrides the capability table: false never sends a temperature. */
  sendTemperature: z.boolean().optional(),
  /** Tokens reserved for hidden thinking on top of the answer (0: the model answers directly). */
  thinkingBudget: z.int().min(0).max(1_000_000).optional(),
  /** The answer's own token limit, replacing the protocol's (mc 32; ff per the official configuration). */
  maxTokens: z.int().min(1).max(1_000_000).optional(),
  /** Shrink images whose longer side exceeds this before sending; by default originals are sent. */
  maxImageSide: z.int().min(16).optional(),
  headers: headers.optional(),
};

function requireKeyUnlessNoAuth(
  model: { apiKeyEnv?: string | undefined; noAuth: boolean; provider: string },
  ctx: z.RefinementCtx,
) {
  if (model.noAuth && model.apiKeyEnv !== undefined) {
    ctx.addIssue({ code: 'custom', path: ['apiKeyEnv'], message: 'cannot be combined with `noAuth: true`' });
  }
  if (!model.noAuth && model.apiKeyEnv === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['apiKeyEnv'],
      message: `is required for provider ${model.provider} (the name of the variable holding the key), unless the server needs none: then write \`noAuth: true\``,
    });
  }
}

const openaiModel = z
  .strictObject({
    provider: z.literal('openai'),
    ...common,
    ...http,
    /** Extra query parameters, e.g. `api-version` for Azure OpenAI deployment URLs. */
    query: z.record(z.string(), z.string()).optional(),
    /** Which request field carries the token limit (default: from the capability table and endpoint). */
    tokenField: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
    /** Sent as `reasoning_effort` (OpenAI reasoning models; Gemini, where `none` turns thinking off). */
    reasoningEffort: z.enum(['none', 'minimal', 'low', 'medium', 'high', 'xhigh']).optional(),
  })
  .superRefine(requireKeyUnlessNoAuth);

const anthropicModel = z
  .strictObject({ provider: z.literal('anthropic'), ...common, ...http })
  .superRefine(requireKeyUnlessNoAuth)
  .superRefine((model, ctx) => {
    if (model.thinkingBudget !== undefined && model.thinkingBudget > 0 && model.thinkingBudget < 1024) {
      ctx.addIssue({
        code: 'custom',
        path: ['thinkingBudget'],
        message: "must be 0 (no extended thinking) or at least 1024, Anthropic's minimum",
      });
    }
  });

const randomModel = z.strictObject({
  provider: z.literal('random'),
  ...common,
  model: z.string().min(1).default('coin-flip'),
  seed: z.int().default(0),
});

const replayModel = z.strictObject({
  provider: z.literal('replay'),
  ...common,
  /** The id of the stored run whose replies are played back. */
  run: z.string().min(1),
  model: z.string().min(1).optional(),
});

const modelSchema = z
  .discriminatedUnion('provider', [openaiModel, anthropicModel, randomModel, replayModel])
  .transform((m) => ({
    ...m,
    promptKey: m.promptKey ?? DEFAULT_PROMPT_KEY[m.provider],
    rpm: m.rpm ?? null,
    price: m.price ?? null,
  }));

/** One model of the models file, validated, defaults filled in. Holds no secret. */
export type ModelConfig = z.output<typeof modelSchema>;
export type OpenAIModelConfig = Extract<ModelConfig, { provider: 'openai' }>;
export type AnthropicModelConfig = Extract<ModelConfig, { provider: 'anthropic' }>;
export type RandomModelConfig = Extract<ModelConfig, { provider: 'random' }>;
export type ReplayModelConfig = Extract<ModelConfig, { provider: 'replay' }>;

const modelsFileSchema = z
  .strictObject({ models: z.array(modelSchema).min(1, 'must list at least one model') })
  .superRefine((file, ctx) => {
    const seen = new Map<string, number>();
    file.models.forEach((model, index) => {
      const first = seen.get(model.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['models', index, 'id'],
          message: `duplicates the id of models[${first}]; ids must be unique`,
        });
      } else {
        seen.set(model.id, index);
      }
    });
  });

export interface ModelsFile {
  /** Absolute path of the file, for messages. */
  file: string;
  models: ModelConfig[];
}

type PathKey = PropertyKey;

function valueAt(data: unknown, keys: readonly PathKey[]): unknown {
  let current = data;
  for (const key of keys) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** `models[2] (id "gpt-4o"), field "headers.api-key"` from an issue path; values are never shown. */
function describePath(keys: readonly PathKey[], data: unknown): string {
  if (keys[0] !== 'models' || typeof keys[1] !== 'number') {
    return keys.length === 0 ? 'top level' : `field "${keys.map(String).join('.')}"`;
  }
  const id = valueAt(data, ['models', keys[1], 'id']);
  const model = `models[${keys[1]}]${typeof id === 'string' && id !== '' ? ` (id "${id}")` : ''}`;
  const field = keys.slice(2).map(String).join('.');
  return field ? `${model}, field "${field}"` : model;
}

function describeIssue(issue: z.core.$ZodIssue, data: unknown): string {
  const value = valueAt(data, issue.path);
  if (issue.code === 'invalid_union' && 'discriminator' in issue) {
    const choices = PROVIDERS.join(', ');
    return value === undefined ? `is missing (required: one of ${choices})` : `must be one of ${choices}`;
  }
  if (issue.code === 'invalid_type' && value === undefined) return 'is missing (required)';
  if (issue.code === 'unrecognized_keys') {
    return `has unknown field${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')} (check the spelling)`;
  }
  return issue.message;
}

/**
 * Parses a models file's text (YAML, of which JSON is a subset). Throws a UserFacingError listing
 * every problem with file, line, model id/index and field.
 */
export function parseModelsFile(text: string, file: string): ModelsFile {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((error) => {
      const pos = error.linePos?.[0];
      return `  ${pos ? `line ${pos.line}, column ${pos.col}: ` : ''}${(error.message.split('\n')[0] ?? '').replace(/ at line \d+, column \d+:?$/, '')}`;
    });
    throw new UserFacingError(
      'MODELS_FILE_INVALID',
      `The models file ${file} is not valid YAML/JSON:\n${lines.join('\n')}`,
    );
  }
  const data: unknown = doc.toJS();
  const parsed = modelsFileSchema.safeParse(data);
  if (parsed.success) return { file, models: parsed.data.models };

  const lines = parsed.error.issues.map((issue) => {
    // The deepest node that exists along the path gives the line (a missing field points at its model).
    let line: number | undefined;
    for (let depth = issue.path.length; depth >= 0 && line === undefined; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(issue.path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        line = lineCounter.linePos(node.range[0]).line;
      }
    }
    const where = describePath(issue.path, data);
    return `  ${line !== undefined ? `line ${line}, ` : ''}${where}: ${describeIssue(issue, data)}`;
  });
  throw new UserFacingError('MODELS_FILE_INVALID', `Invalid models file ${file}:\n${lines.join('\n')}`);
}

/** Reads and validates a models file. */
export async function loadModelsFile(file: string): Promise<ModelsFile> {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = await readFile(absolute, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserFacingError(
        'MODELS_FILE_MISSING',
        `No models file at ${absolute}. Copy models.example.yaml to models.yaml and edit it, or point MODELS_FILE (or --models) at yours.`,
      );
    }
    throw new UserFacingError(
      'MODELS_FILE_UNREADABLE',
      `Cannot read the models file ${absolute}: ${String(err)}`,
      {
        cause: err,
      },
    );
  }
  return parseModelsFile(text, absolute);
}

/** The model with this id, or a UserFacingError listing the ids the file has. */
export function findModel(models: ModelsFile, id: string): ModelConfig {
  const model = models.models.find((m) => m.id === id);
  if (!model) {
    throw new UserFacingError(
      'MODEL_UNKNOWN',
      `No model "${id}" in ${models.file}. Known ids: ${models.models.map((m) => m.id).join(', ')}.`,
    );
  }
  return model;
}
