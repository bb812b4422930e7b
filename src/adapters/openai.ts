import OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionMessageParam,
} from 'openai/resources/chat/completions';
import { z } from 'zod';
import { type CapabilityOverrides, capabilitiesFor, type ModelCapabilities } from './capabilities.js';
import { type CallFailure, classifyUnknownError, rootMessage } from './http-errors.js';
import { imagePayload } from './image-payload.js';
import { type LogprobRequest, promptTail, type ReplyToken, type TokenChoice } from './logprobs.js';
import { noReplyReason, timedCall } from './timed-call.js';
import type { ModelAdapter, ModelRequest, ModelResult } from './types.js';

/**
 * The `openai` provider: Chat Completions through the official SDK. Besides OpenAI itself it serves
 * Azure OpenAI and every OpenAI-compatible server (vLLM, Ollama, LM Studio, llama.cpp, OpenRouter,
 * Gemini's OpenAI endpoint) through `baseURL`.
 */

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAIAdapterOptions {
  id: string;
  model: string;
  /** null: OpenAI's own endpoint. */
  baseURL: string | null;
  /** null for servers without authentication (local vLLM/Ollama): no Authorization header is sent. */
  apiKey: string | null;
  /** Extra headers, already resolved (values from the environment included). */
  headers: Record<string, string>;
  /** Extra query parameters, e.g. `api-version` for Azure's deployment-style endpoints. */
  query: Record<string, string>;
  /** Overrides the name-based detection of reasoning models (same as `overrides.reasoning`). */
  reasoning?: boolean | undefined;
  /** Models-file overrides of the capability table (`tokenField`, `thinkingBudget`, …). */
  overrides?: CapabilityOverrides;
  timeoutMs: number;
  maxImageSide: number | null;
}

/**
 * Reasoning models (o-series, gpt-5; also behind a router prefix such as `openai/o3-mini`) take no system
 * prompt and no temperature, as the official harness ran o1.
 */
export function isReasoningModelName(model: string): boolean {
  return capabilitiesFor('openai', model, null).reasoning;
}

const tokenChoiceSchema = z.object({ token: z.string(), logprob: z.number() });

/**
 * The part of a Chat Completions answer we rely on; validated because compatible servers vary.
 * `choices[].logprobs.content[]` is the published shape of reply log-probabilities (OpenAI, vLLM, llama.cpp);
 * the top-level `prompt_logprobs` is vLLM's extension: per prompt token null (the first) or an object from
 * token id to `{ logprob, rank, decoded_token }`.
 */
const completionSchema = z.object({
  choices: z
    .array(
      z.object({
        message: z.object({
          content: z.string().nullish(),
          refusal: z.string().nullish(),
        }),
        finish_reason: z.string().nullish(),
        logprobs: z
          .object({
            content: z
              .array(tokenChoiceSchema.extend({ top_logprobs: z.array(tokenChoiceSchema).nullish() }))
              .nullish(),
          })
          .nullish(),
      }),
    )
    .min(1, 'no choices'),
  usage: z
    .object({
      prompt_tokens: z.number().nullish(),
      completion_tokens: z.number().nullish(),
      completion_tokens_details: z.object({ reasoning_tokens: z.number().nullish() }).nullish(),
    })
    .nullish(),
  prompt_logprobs: z
    .array(
      z
        .record(
          z.string(),
          z.object({ logprob: z.number(), rank: z.number().nullish(), decoded_token: z.string().nullish() }),
        )
        .nullable(),
    )
    .nullish(),
});
type CompletionBody = z.infer<typeof completionSchema>;

/** The reply's tokens, or null when the server sent no log-probabilities. */
function replyTokens(body: CompletionBody): ReplyToken[] | null {
  const content = body.choices[0]?.logprobs?.content;
  if (!content || content.length === 0) return null;
  return content.map((t) => ({
    token: t.token,
    logprob: t.logprob,
    top: (t.top_logprobs ?? []).map((c) => ({ token: c.token, logprob: c.logprob })),
  }));
}

/**
 * The prompt's tokens from vLLM's `prompt_logprobs`. The request asks for 0 alternatives, so each position
 * holds the prompt token alone; vLLM lists the prompt token first when it adds alternatives.
 */
function promptTokensOf(body: CompletionBody, assistant: string): TokenChoice[] | null {
  const positions = body.prompt_logprobs;
  if (!positions || positions.length === 0) return null;
  const tokens = positions.map((position) => {
    const first = position ? Object.values(position)[0] : undefined;
    return first ? { token: first.decoded_token ?? '', logprob: first.logprob } : { token: '', logprob: 0 };
  });
  return promptTail(tokens, assistant);
}

/**
 * Request fields for log-probabilities. For prefix scoring the answer is prefilled as the final assistant
 * message and continued (`continue_final_message`, which vLLM documents as exclusive with
 * `add_generation_prompt`), so the prompt ends with the option's tokens.
 */
function logprobFields(request: LogprobRequest | undefined): Record<string, unknown> {
  if (request === undefined) return {};
  if (request.kind === 'reply') return { logprobs: true, top_logprobs: request.top };
  return { prompt_logprobs: 0, add_generation_prompt: false, continue_final_message: true };
}

function capabilitiesOf(options: OpenAIAdapterOptions): ModelCapabilities {
  return capabilitiesFor('openai', options.model, options.baseURL, {
    reasoning: options.reasoning,
    ...options.overrides,
  });
}

export function createOpenAIAdapter(options: OpenAIAdapterOptions): ModelAdapter {
  const capabilities = capabilitiesOf(options);
  const { reasoning, tokenField } = capabilities;
  const effort = options.overrides?.reasoningEffort;
  const secrets = [options.apiKey ?? '', ...Object.values(options.headers)];
  // Every option is explicit so that OPENAI_* variables in the process environment cannot change
  // where requests go or whose key they carry.
  const client = new OpenAI({
    apiKey: options.apiKey ?? 'no-key',
    adminAPIKey: null,
    organization: null,
    project: null,
    baseURL: options.baseURL ?? OPENAI_DEFAULT_BASE_URL,
    maxRetries: 0,
    timeout: options.timeoutMs,
    defaultHeaders: { ...(options.apiKey === null ? { Authorization: null } : {}), ...options.headers },
    defaultQuery: options.query,
  });

  async function body(request: ModelRequest): Promise<ChatCompletionCreateParamsNonStreaming> {
    const messages: ChatCompletionMessageParam[] = [];
    if (!reasoning && request.system !== null) messages.push({ role: 'system', content: request.system });
    if (request.image) {
      const image = await imagePayload(request.image, options.maxImageSide);
      messages.push({
        role: 'user',
        content: [
          { type: 'text', text: request.prompt },
          { type: 'image_url', image_url: { url: `data:${image.mediaType};base64,${image.base64}` } },
        ],
      });
    } else {
      messages.push({ role: 'user', content: request.prompt });
    }
    if (request.logprobs?.kind === 'prefill') {
      messages.push({ role: 'assistant', content: request.logprobs.assistant });
    }
    return {
      model: options.model,
      messages,
      ...logprobFields(request.logprobs),
      ...(request.maxTokens !== null ? { [tokenField]: request.maxTokens } : {}),
      ...(capabilities.sendsTemperature && request.temperature !== null
        ? { temperature: request.temperature }
        : {}),
      ...(effort !== undefined ? { reasoning_effort: effort as 'low' } : {}),
    };
  }

  function toFailure(err: unknown, timeoutMs: number): CallFailure {
    if (err instanceof OpenAI.APIUserAbortError) return { kind: 'aborted' };
    if (err instanceof OpenAI.APIConnectionTimeoutError) return { kind: 'timeout', timeoutMs };
    if (err instanceof OpenAI.APIConnectionError) return { kind: 'connection', message: rootMessage(err) };
    if (err instanceof OpenAI.APIError && err.status !== undefined) {
      return {
        kind: 'http',
        status: err.status,
        headers: err.headers,
        message: err.message,
        param: err.param,
      };
    }
    return classifyUnknownError(err);
  }

  return {
    id: options.id,
    identity: {
      provider: 'openai',
      baseURL: options.baseURL,
      model: options.model,
      ...(effort !== undefined ? { shape: `reasoning_effort=${effort}` } : {}),
    },
    reasoning,
    acceptsTemperature: capabilities.sendsTemperature,
    thinkingBudget: capabilities.thinkingBudget,
    async complete(request, callOptions = {}): Promise<ModelResult> {
      return timedCall({
        timeoutMs: Math.max(1, Math.ceil(callOptions.timeoutMs ?? options.timeoutMs)),
        signal: callOptions.signal,
        secrets,
        modelId: options.id,
        send: async (requestOptions) => client.chat.completions.create(await body(request), requestOptions),
        schema: completionSchema,
        read: (completion) => {
          const { choices, usage } = completion;
          const choice = choices[0];
          const message = choice?.message;
          const finishReason = choice?.finish_reason ?? null;
          const text = message?.content ?? '';
          const outputTokens = usage?.completion_tokens ?? null;
          const thinkingTokens = usage?.completion_tokens_details?.reasoning_tokens ?? null;
          // A reply stopped by the token limit may hold half a sentence, or nothing when thinking used it all:
          // either way it is not the model's answer.
          // Greedy and prefix modes read probabilities, not text: one token, stopped by the limit, is the design.
          const asked = request.logprobs;
          if (request.scoresOnly) {
            return {
              text,
              usage: { inputTokens: usage?.prompt_tokens ?? 0, outputTokens: outputTokens ?? 0 },
              ...(asked?.kind === 'reply' ? { tokens: replyTokens(completion) } : {}),
              ...(asked?.kind === 'prefill'
                ? { promptTokens: promptTokensOf(completion, asked.assistant) }
                : {}),
            };
          }
          if (finishReason === 'length') {
            const limit = request.maxTokens === null ? null : `${tokenField} ${request.maxTokens}`;
            return {
              kind: 'cut',
              message: noReplyReason({ cut: true, limit, outputTokens, thinkingTokens, finishReason }),
            };
          }
          // A refusal is an answer (the parser marks it invalid); no text and no refusal is no answer.
          if (text.trim() === '' && !message?.refusal) {
            return {
              kind: 'empty',
              message: noReplyReason({ cut: false, limit: null, outputTokens, thinkingTokens, finishReason }),
            };
          }
          return {
            text: text.trim() === '' ? (message?.refusal ?? '') : text,
            usage: { inputTokens: usage?.prompt_tokens ?? 0, outputTokens: outputTokens ?? 0 },
            ...(asked?.kind === 'reply' ? { tokens: replyTokens(completion) } : {}),
          };
        },
        toFailure,
      });
    },
  };
}
