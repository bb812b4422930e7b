import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { DEFAULT_THINKING_BUDGET } from '../adapters/capabilities.js';
import { OFFICIAL_FILES } from '../dataset/official-files.js';
import { UserFacingError } from '../errors.js';

/**
 * The official prompt templates (AIF4S/MediConfusion `configs/prompts/answering.json`, saved as
 * `answering-prompts.json` in the data folder). The template text only ever comes from that file: the code
 * knows where to look and how to fill placeholders, never what the prompts say.
 */

const templateFamily = z.record(z.string(), z.string().min(1));

export const promptsFileSchema = z.object({
  prompts: z
    .object({
      mc: templateFamily.refine((family) => 'default' in family, 'needs a "default" template'),
      gpt4: templateFamily.refine((family) => 'default' in family, 'needs a "default" template'),
    })
    .catchall(z.unknown()),
  init_prompts: z.object({ default: z.string().min(1) }).catchall(z.unknown()),
  conversion: z.object({
    instruct_prompt: z.string().min(1),
    role: z.string().min(1),
    init_prompt: z.string().min(1),
    temperature: z.coerce.number().min(0).max(2).optional(),
  }),
});
export type PromptsFile = z.infer<typeof promptsFileSchema>;

/**
 * The official evaluation modes: `mc` (letter reply, official parser), `ff` (free-form reply, judged),
 * `greedy` (the probabilities of "A" and "B" as the first reply token) and `prefix` (each option's text
 * scored as the assistant's answer by the geometric mean of its tokens' probabilities).
 */
export const PROTOCOLS = ['mc', 'ff', 'greedy', 'prefix'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

/** The official harness's name for each protocol, used in its file names (`<model>_<mode>.json`). */
export const OFFICIAL_MODE: Record<Protocol, 'mc' | 'gpt4' | 'greedy' | 'prefix'> = {
  mc: 'mc',
  ff: 'gpt4',
  greedy: 'greedy',
  prefix: 'prefix',
};

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/**
 * Fills a template the way Python's `str.format` fills positional fields: `{}` takes the next argument,
 * `{n}` argument n, and `{{` / `}}` stand for literal braces. Anything else in braces is a broken template.
 */
export function formatPython(template: string, args: readonly string[]): string {
  let next = 0;
  return template.replace(/\{\{|\}\}|\{(\d*)\}|[{}]/g, (match, index: string | undefined) => {
    if (match === '{{') return '{';
    if (match === '}}') return '}';
    if (index === undefined) throw new Error(`unbalanced brace in template at "${match}"`);
    const position = index === '' ? next++ : Number(index);
    const value = args[position];
    if (value === undefined) throw new Error(`template field {${index}} has no value`);
    return value;
  });
}

/** How many values a template takes; throws for a template Python could not format either. */
export function countFields(template: string): number {
  let count = 0;
  formatPython(
    template,
    new Proxy([] as string[], {
      get: (target, key) => {
        if (typeof key === 'string' && /^\d+$/.test(key)) {
          count = Math.max(count, Number(key) + 1);
          return '';
        }
        return Reflect.get(target, key);
      },
    }),
  );
  return count;
}

export interface Template {
  /** The key actually used (`gpt`, `claude`, or `default` when the model's key has no template). */
  key: string;
  text: string;
  sha256: string;
}

/** The official lookup: the model's key when the family has a template for it, else `default`. */
function pickTemplate(
  family: Record<string, string>,
  key: string | null,
  where: string,
  fields: number,
): Template {
  const chosen = key !== null && Object.hasOwn(family, key) ? key : 'default';
  const text = family[chosen];
  if (text === undefined) throw new Error(`no ${where}.default template`);
  let found: number;
  try {
    found = countFields(text);
  } catch (err) {
    throw new UserFacingError(
      'PROMPTS_INVALID',
      `The prompts file's ${where}.${chosen} template cannot be filled: ${(err as Error).message}.`,
    );
  }
  if (found !== fields) {
    throw new UserFacingError(
      'PROMPTS_INVALID',
      `The prompts file's ${where}.${chosen} template has ${found} placeholder(s); the protocol fills ${fields}.`,
    );
  }
  return { key: chosen, text, sha256: sha256Hex(text) };
}

export interface ProtocolPrompts {
  protocol: Protocol;
  template: Template;
  /** `init_prompts.default`, or null for reasoning models, which take no system prompt. */
  system: { text: string; sha256: string } | null;
  /** Generation settings of the protocol's answer request. */
  temperature: number | null;
  /** The output limit sent, thinking included; null sends none. */
  maxTokens: number | null;
  /** Where the settings come from, in words, for the run record and its report. */
  settings: string;
}

/** The official `max_new_tokens` for multiple choice (the harness's mc override, with temperature 0). */
export const MC_MAX_TOKENS = 32;
/**
 * Greedy and prefix modes read probabilities, not text: one generated token is all either needs (the
 * official code ran a single forward pass), so a reply cut at this limit is expected.
 */
export const SCORING_MAX_TOKENS = 1;
/** Alternatives asked per reply token: OpenAI's maximum, and vLLM's default `--max-logprobs`. */
export const TOP_LOGPROBS = 20;
/**
 * Prefix mode on a chat model, as the official code runs it on LLaVA: the question alone as the user's
 * text (after the image), each option as the assistant's answer. Kept as a template so that it is
 * recorded and cache-keyed like the others.
 */
const PREFIX_CHAT_TEMPLATE = '{}';
/** Free-form replies of a model family the official harness has no configuration for. */
export const FF_MAX_TOKENS = 512;
export const JUDGE_MAX_TOKENS = 512;
/** @deprecated kept for callers of the old name: a thinking model's default budget plus nothing. */
export const REASONING_MAX_TOKENS = 4096;

/**
 * Free-form generation settings of the official harness per model family (prompt key), from
 * AIF4S/MediConfusion `configs/Models/<family>/vanilla.json` (temperature) and each API runner in
 * `Models/<family>.py` (token limit: the GPT and Gemini runners send none, the Claude runner 2048; the local
 * models' `max_new_tokens`). In multiple choice the harness overrides them all with temperature 0 and 32
 * tokens.
 */
export const OFFICIAL_FF_SETTINGS: Readonly<
  Record<string, { temperature: number; maxTokens: number | null }>
> = {
  gpt: { temperature: 0.7, maxTokens: null },
  claude: { temperature: 0.2, maxTokens: 2048 },
  gemini: { temperature: 0.2, maxTokens: null },
  llava_med: { temperature: 0.2, maxTokens: 100 },
  deepseek: { temperature: 0.7, maxTokens: 512 },
};

export interface GenerationOverrides {
  /** `--temperature`: replaces the protocol's temperature (never sent to models that refuse one). */
  temperature?: number | undefined;
  /** `--max-tokens` or the models file's `maxTokens`: the answer's own limit. */
  maxTokens?: number | undefined;
}

export function protocolPrompts(
  file: PromptsFile,
  protocol: Protocol,
  model: {
    promptKey: string | null;
    reasoning: boolean;
    acceptsTemperature?: boolean | undefined;
    /** Tokens the model may spend thinking before it answers; added to the answer's limit. */
    thinkingBudget?: number | undefined;
  },
  overrides: GenerationOverrides = {},
): ProtocolPrompts {
  if (protocol === 'greedy' || protocol === 'prefix') return scoringPrompts(file, protocol, model);
  const template =
    protocol === 'mc'
      ? pickTemplate(file.prompts.mc, model.promptKey, 'prompts.mc', 3)
      : pickTemplate(file.prompts.gpt4, model.promptKey, 'prompts.gpt4', 1);
  const systemText = file.init_prompts.default;
  const family = model.promptKey !== null ? OFFICIAL_FF_SETTINGS[model.promptKey] : undefined;
  const base =
    protocol === 'mc'
      ? { temperature: 0, maxTokens: MC_MAX_TOKENS as number | null, from: 'official mc settings' }
      : family !== undefined
        ? { ...family, from: `official ${model.promptKey} configuration` }
        : {
            temperature: 0,
            maxTokens: FF_MAX_TOKENS as number | null,
            from: 'project default (no official configuration)',
          };
  const notes = [base.from];
  const answerTokens = overrides.maxTokens ?? base.maxTokens;
  if (overrides.maxTokens !== undefined) notes.push(`max tokens ${overrides.maxTokens} by option`);
  const thinking = model.thinkingBudget ?? (model.reasoning ? DEFAULT_THINKING_BUDGET : 0);
  if (thinking > 0) notes.push(`${thinking} thinking tokens`);
  // Reasoning models (and APIs that dropped the parameter) reject a temperature. Recording null here keeps
  // the cache key honest about what was actually sent.
  const sendsTemperature = !model.reasoning && model.acceptsTemperature !== false;
  const temperature = sendsTemperature ? (overrides.temperature ?? base.temperature) : null;
  if (overrides.temperature !== undefined && sendsTemperature) {
    notes.push(`temperature ${overrides.temperature} by option`);
  }
  if (!sendsTemperature) notes.push('no temperature (the model takes none)');
  return {
    protocol,
    template,
    system: model.reasoning ? null : { text: systemText, sha256: sha256Hex(systemText) },
    temperature,
    maxTokens: answerTokens === null ? null : answerTokens + thinking,
    settings: notes.join('; '),
  };
}

/**
 * Greedy and prefix settings: one token at temperature 0 (the probabilities, not the sampled token, are the
 * answer) and no system prompt, as the official code runs these modes on local models only, whose
 * conversations carry none. Token-limit and temperature overrides do not apply.
 */
function scoringPrompts(
  file: PromptsFile,
  protocol: 'greedy' | 'prefix',
  model: { promptKey: string | null; reasoning: boolean; acceptsTemperature?: boolean | undefined },
): ProtocolPrompts {
  const sendsTemperature = !model.reasoning && model.acceptsTemperature !== false;
  return {
    protocol,
    template:
      protocol === 'greedy'
        ? pickTemplate(greedyFamily(file), model.promptKey, 'prompts.greedy', 3)
        : {
            key: 'chat',
            text: PREFIX_CHAT_TEMPLATE,
            sha256: sha256Hex(`prefix-chat:${PREFIX_CHAT_TEMPLATE}`),
          },
    system: null,
    temperature: sendsTemperature ? 0 : null,
    maxTokens: SCORING_MAX_TOKENS,
    settings: `official ${protocol} mode: one token, probabilities read${sendsTemperature ? '' : '; no temperature (the model takes none)'}`,
  };
}

/** The greedy templates, which older prompts files may lack. */
function greedyFamily(file: PromptsFile): Record<string, string> {
  const parsed = templateFamily.safeParse(file.prompts.greedy);
  if (!parsed.success || !('default' in parsed.data)) {
    throw new UserFacingError(
      'PROMPTS_INVALID',
      'The prompts file has no prompts.greedy.default template, which --protocol greedy needs; run `mediconfusion data fetch` again.',
    );
  }
  return parsed.data;
}

export function fillAnswerPrompt(
  prompts: ProtocolPrompts,
  question: string,
  options: { A: string; B: string },
): string {
  return prompts.protocol === 'mc' || prompts.protocol === 'greedy'
    ? formatPython(prompts.template.text, [question, options.A, options.B])
    : formatPython(prompts.template.text, [question]);
}

export interface JudgePrompts {
  system: string;
  role: string;
  instruct: string;
  /** sha256 of the canonical JSON of the three texts above. */
  sha256: string;
  /** The temperature the official harness used, for reference in reports. */
  officialTemperature: number | null;
}

export function judgePrompts(file: PromptsFile): JudgePrompts {
  const { init_prompt, role, instruct_prompt, temperature } = file.conversion;
  return {
    system: init_prompt,
    role,
    instruct: instruct_prompt,
    sha256: sha256Hex(JSON.stringify({ init_prompt, instruct_prompt, role })),
    officialTemperature: temperature ?? null,
  };
}

/** The official conversion prompt: the question, both options and the reply, then the instructions. */
export function fillJudgePrompt(
  judge: JudgePrompts,
  question: string,
  options: { A: string; B: string },
  reply: string,
): string {
  const { role } = judge;
  return (
    `[Question]\n${question}\n\n` +
    `[Answer A]\n${options.A}\n\n` +
    `[Answer B]\n${options.B}\n\n` +
    `[${role}]\n${reply}\n\n[End of ${role}]\n\n` +
    `[System]\n${judge.instruct}\n\n`
  );
}

/** Reads and validates the prompts file; the messages name the file and the field. */
export async function loadPromptsFile(dataDir: string): Promise<PromptsFile> {
  const file = path.join(dataDir, OFFICIAL_FILES.prompts);
  let raw: string;
  try {
    raw = await readFile(file, 'utf8');
  } catch (err) {
    throw new UserFacingError(
      'PROMPTS_MISSING',
      `The prompt templates are missing: ${file} could not be read (${(err as NodeJS.ErrnoException).code ?? 'error'}). Run \`mediconfusion data fetch\` first.`,
      { cause: err },
    );
  }
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (err) {
    throw new UserFacingError('PROMPTS_INVALID', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = promptsFileSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`,
    );
    throw new UserFacingError(
      'PROMPTS_INVALID',
      `${file} is not a valid prompts file:\n${problems.join('\n')}`,
    );
  }
  return parsed.data;
}
