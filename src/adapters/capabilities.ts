/**
 * What a model's endpoint accepts and how it answers, from a maintained table keyed by the model's name,
 * each field overridable per model in the models file. The probe builds every request from these, so a
 * new model family is one row here rather than a code change in the adapters.
 *
 * Checked against the providers' documentation (see the README, "Model capabilities"):
 * - OpenAI o-series and gpt-5 reasoning models reject `max_tokens` ("use max_completion_tokens") and any
 *   `temperature` other than the default; their hidden reasoning counts against `max_completion_tokens`.
 *   OpenAI's own API and Azure OpenAI accept `max_completion_tokens` for every chat model, and deprecate
 *   `max_tokens`.
 * - Gemini 2.5 and later think by default; the thinking tokens come out of the same output limit, so a
 *   32-token limit leaves nothing for the answer. Their OpenAI-compatible endpoint takes `max_tokens`,
 *   `temperature` and `reasoning_effort`.
 * - Anthropic's extended thinking is opt-in (`thinking: { type: "enabled", budget_tokens }`, at least 1024
 *   and below `max_tokens`), and a request with thinking may not change the temperature.
 */

export type TokenField = 'max_tokens' | 'max_completion_tokens';

export interface ModelCapabilities {
  /** OpenAI o-series style: no system prompt and no temperature, as the official harness ran o1. */
  reasoning: boolean;
  /** Whether a temperature may be sent at all. */
  sendsTemperature: boolean;
  /** The request field carrying the output token limit (openai provider). */
  tokenField: TokenField;
  /**
   * Tokens reserved for hidden thinking on top of the answer's own limit; 0 for models that answer
   * directly. For Anthropic this is also the `budget_tokens` of extended thinking.
   */
  thinkingBudget: number;
  /** Which table row (or models-file override) decided, for messages and the README. */
  source: string;
}

/** Room for thinking when a model thinks and the models file sets no `thinkingBudget`. */
export const DEFAULT_THINKING_BUDGET = 4096;
/** Anthropic refuses a smaller extended-thinking budget. */
export const ANTHROPIC_MIN_THINKING_BUDGET = 1024;

interface Row {
  family: string;
  provider: 'openai' | 'anthropic';
  /** Tested against the model name's last path segment (`openai/gpt-5-mini` → `gpt-5-mini`), lower-cased. */
  name: RegExp;
  reasoning: boolean;
  sendsTemperature: boolean;
  tokenField: TokenField;
  thinks: boolean;
}

/** First match wins: more specific rows come first. */
export const CAPABILITY_TABLE: readonly Row[] = [
  {
    family: 'OpenAI gpt-5 chat models (non-reasoning)',
    provider: 'openai',
    name: /^gpt-5[\w.]*-chat/,
    reasoning: false,
    sendsTemperature: true,
    tokenField: 'max_completion_tokens',
    thinks: false,
  },
  {
    family: 'OpenAI gpt-5 family (reasoning)',
    provider: 'openai',
    name: /^gpt-5(\b|[.-])/,
    reasoning: true,
    sendsTemperature: false,
    tokenField: 'max_completion_tokens',
    thinks: true,
  },
  {
    family: 'OpenAI o-series (reasoning)',
    provider: 'openai',
    name: /^o\d+(-|$)/,
    reasoning: true,
    sendsTemperature: false,
    tokenField: 'max_completion_tokens',
    thinks: true,
  },
  {
    family: 'Gemini 2.5 and later (thinking by default)',
    provider: 'openai',
    name: /^gemini-(2\.5|[3-9])/,
    reasoning: false,
    sendsTemperature: true,
    tokenField: 'max_tokens',
    thinks: true,
  },
];

const DEFAULT_ROW: Omit<Row, 'family' | 'provider' | 'name'> = {
  reasoning: false,
  sendsTemperature: true,
  tokenField: 'max_tokens',
  thinks: false,
};

/** The models-file fields that override the table. */
export interface CapabilityOverrides {
  reasoning?: boolean | undefined;
  sendTemperature?: boolean | undefined;
  tokenField?: TokenField | undefined;
  thinkingBudget?: number | undefined;
  /** openai: `reasoning_effort` sent as given; `none` (Gemini) turns thinking off. */
  reasoningEffort?: string | undefined;
}

/** OpenAI's own API and Azure OpenAI, which take `max_completion_tokens` for every chat model. */
export function isOpenAIPlatform(baseURL: string | null): boolean {
  if (baseURL === null) return true;
  let host: string;
  try {
    host = new URL(baseURL).hostname.toLowerCase();
  } catch {
    return false;
  }
  return (
    host === 'api.openai.com' ||
    host.endsWith('.openai.azure.com') ||
    host.endsWith('.cognitiveservices.azure.com') ||
    host.endsWith('.services.ai.azure.com')
  );
}

export function modelBaseName(model: string): string {
  return (model.split('/').pop() ?? model).toLowerCase();
}

export function capabilitiesFor(
  provider: 'openai' | 'anthropic',
  model: string,
  baseURL: string | null,
  overrides: CapabilityOverrides = {},
): ModelCapabilities {
  const name = modelBaseName(model);
  const row = CAPABILITY_TABLE.find((r) => r.provider === provider && r.name.test(name));
  const base = row ?? DEFAULT_ROW;
  const sources = [row ? `table: ${row.family}` : 'table: no row (answers directly)'];

  const reasoning = overrides.reasoning ?? base.reasoning;
  // `reasoning: true` in a models file also means thinking (the o-series meaning it always had).
  let thinks = overrides.reasoning === undefined ? base.thinks : overrides.reasoning || base.thinks;
  if (overrides.reasoningEffort === 'none') thinks = false;
  let thinkingBudget = thinks ? DEFAULT_THINKING_BUDGET : 0;
  if (overrides.thinkingBudget !== undefined) thinkingBudget = overrides.thinkingBudget;

  let tokenField: TokenField =
    provider === 'openai' && isOpenAIPlatform(baseURL) ? 'max_completion_tokens' : base.tokenField;
  if (overrides.tokenField !== undefined) tokenField = overrides.tokenField;

  // Reasoning models and Anthropic's extended thinking both refuse a temperature.
  let sendsTemperature = reasoning ? false : base.sendsTemperature;
  if (provider === 'anthropic' && thinkingBudget > 0) sendsTemperature = false;
  if (overrides.sendTemperature !== undefined) sendsTemperature = overrides.sendTemperature;

  const overridden = Object.entries(overrides)
    .filter(([, v]) => v !== undefined)
    .map(([k]) => k);
  if (overridden.length > 0) sources.push(`models file: ${overridden.join(', ')}`);
  return { reasoning, sendsTemperature, tokenField, thinkingBudget, source: sources.join('; ') };
}

/**
 * The models-file field to set when a server answers 400 naming a parameter it does not support, or
 * null when the parameter is not one the probe chooses.
 */
export function unsupportedParameterHint(param: string, modelId: string): string | null {
  const where = `model "${modelId}" in the models file`;
  switch (param) {
    case 'temperature':
    case 'top_p':
      return `set \`sendTemperature: false\` for ${where} (or \`reasoning: true\` for a reasoning model)`;
    case 'max_tokens':
      return `set \`tokenField: max_completion_tokens\` for ${where}`;
    case 'max_completion_tokens':
      return `set \`tokenField: max_tokens\` for ${where}`;
    case 'reasoning_effort':
      return `remove \`reasoningEffort\` from ${where}`;
    case 'thinking':
    case 'thinking.budget_tokens':
    case 'budget_tokens':
      return `change or remove \`thinkingBudget\` for ${where} (Anthropic needs at least 1024)`;
    case 'system':
    case 'messages[0].role':
      return `set \`reasoning: true\` for ${where} (no system prompt is sent then)`;
    default:
      return null;
  }
}

/** The parameter a 400's text names as unsupported, when it follows OpenAI's or a similar wording. */
export function unsupportedParameterIn(message: string): string | null {
  const patterns = [
    /Unsupported (?:parameter|value):\s*'([\w.[\]]+)'/i,
    /'([\w.[\]]+)' is not supported with this model/i,
    /([\w.[\]]+): Extra inputs are not permitted/i,
    /Unrecognized request arguments? supplied:\s*([\w.]+)/i,
    /`(temperature|top_p|max_tokens|max_completion_tokens|reasoning_effort)` (?:is not supported|may only be set)/i,
  ];
  for (const pattern of patterns) {
    const match = pattern.exec(message);
    if (match?.[1]) return match[1];
  }
  return null;
}
