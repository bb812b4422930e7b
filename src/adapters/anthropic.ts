import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { ANTHROPIC_MIN_THINKING_BUDGET, type CapabilityOverrides, capabilitiesFor } from './capabilities.js';
import { type CallFailure, classifyUnknownError, rootMessage } from './http-errors.js';
import { imagePayload } from './image-payload.js';
import { noReplyReason, timedCall } from './timed-call.js';
import type { ModelAdapter, ModelRequest, ModelResult } from './types.js';

/** The `anthropic` provider: the Messages API through the official SDK. */

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** The first API version that answers 400 to `temperature`, `top_p` and `top_k`, even at their defaults. */
export const NO_SAMPLING_API_VERSION = '2026-10-21';

/** The official Claude runner's `max_tokens`, sent when the protocol sets no limit (the API requires one). */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 2048;

/** Marks requests laid out image first (the official runner's and Anthropic's advised order) in cache keys. */
export const ANTHROPIC_REQUEST_SHAPE = 'image-first';

/**
 * Whether requests may carry a temperature. The installed SDK sends `anthropic-version: 2026-10-21`,
 * which rejects it; a models file can pin the older version with an `anthropic-version: "2023-06-01"`
 * header to have the probe's temperature sent.
 */
export function acceptsTemperature(headers: Record<string, string>): boolean {
  const pinned = Object.entries(headers).find(([name]) => name.toLowerCase() === 'anthropic-version')?.[1];
  return pinned !== undefined && pinned.trim() < NO_SAMPLING_API_VERSION;
}

export interface AnthropicAdapterOptions {
  id: string;
  model: string;
  /** null: Anthropic's own endpoint. */
  baseURL: string | null;
  /** null for a gateway that authenticates otherwise (its headers) or not at all. */
  apiKey: string | null;
  headers: Record<string, string>;
  /** true: no system prompt and no temperature, like the o-series on the openai provider. */
  reasoning?: boolean | undefined;
  /** Models-file overrides of the capability table (`thinkingBudget`, `sendTemperature`, …). */
  overrides?: CapabilityOverrides;
  timeoutMs: number;
  maxImageSide: number | null;
}

const answerSchema = z.object({
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  stop_reason: z.string().nullish(),
  usage: z.object({ input_tokens: z.number().nullish(), output_tokens: z.number().nullish() }).nullish(),
});

type MessageParams = Parameters<Anthropic['messages']['create']>[0];

export function createAnthropicAdapter(options: AnthropicAdapterOptions): ModelAdapter {
  const capabilities = capabilitiesFor('anthropic', options.model, options.baseURL, {
    reasoning: options.reasoning,
    ...options.overrides,
  });
  const { reasoning, thinkingBudget } = capabilities;
  const temperatureAllowed = capabilities.sendsTemperature && acceptsTemperature(options.headers);
  const secrets = [options.apiKey ?? '', ...Object.values(options.headers)];
  // Explicit options only: ANTHROPIC_* variables and credential profiles on disk must not take part.
  const client = new Anthropic({
    apiKey: options.apiKey ?? 'no-key',
    authToken: null,
    baseURL: options.baseURL ?? ANTHROPIC_DEFAULT_BASE_URL,
    maxRetries: 0,
    timeout: options.timeoutMs,
    defaultHeaders: { ...(options.apiKey === null ? { Authorization: null } : {}), ...options.headers },
  });

  async function body(request: ModelRequest): Promise<MessageParams> {
    const content: Anthropic.ContentBlockParam[] = [];
    // Image first, then the question: as the official Claude runner sends it and as Anthropic advises.
    if (request.image) {
      const image = await imagePayload(request.image, options.maxImageSide);
      content.push({
        type: 'image',
        source: { type: 'base64', media_type: image.mediaType, data: image.base64 },
      });
    }
    content.push({ type: 'text', text: request.prompt });
    return {
      model: options.model,
      max_tokens: request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS + thinkingBudget,
      messages: [{ role: 'user', content }],
      ...(thinkingBudget > 0 ? { thinking: { type: 'enabled', budget_tokens: thinkingBudget } } : {}),
      ...(!reasoning && request.system !== null ? { system: request.system } : {}),
      ...(!reasoning && temperatureAllowed && request.temperature !== null
        ? { temperature: request.temperature }
        : {}),
      stream: false,
    };
  }

  function toFailure(err: unknown, timeoutMs: number): CallFailure {
    if (err instanceof Anthropic.APIUserAbortError) return { kind: 'aborted' };
    if (err instanceof Anthropic.APIConnectionTimeoutError) return { kind: 'timeout', timeoutMs };
    if (err instanceof Anthropic.APIConnectionError) return { kind: 'connection', message: rootMessage(err) };
    if (err instanceof Anthropic.APIError && err.status !== undefined) {
      // The SDK's own message is the JSON body; the API's message and type read better.
      const message = err.apiMessage
        ? `${err.status} ${err.type ?? 'error'}: ${err.apiMessage}`
        : err.message;
      const param =
        /\b(temperature|top_p|top_k|max_tokens|thinking(?:\.budget_tokens)?|budget_tokens)\b/.exec(
          err.status === 400 ? (err.apiMessage ?? '') : '',
        )?.[1];
      return { kind: 'http', status: err.status, headers: err.headers, message, param };
    }
    return classifyUnknownError(err);
  }

  if (thinkingBudget > 0 && thinkingBudget < ANTHROPIC_MIN_THINKING_BUDGET) {
    throw new Error(
      `model "${options.id}": thinkingBudget ${thinkingBudget} is below Anthropic's minimum of ${ANTHROPIC_MIN_THINKING_BUDGET}`,
    );
  }

  return {
    id: options.id,
    identity: {
      provider: 'anthropic',
      baseURL: options.baseURL,
      model: options.model,
      shape:
        thinkingBudget > 0
          ? `${ANTHROPIC_REQUEST_SHAPE};thinking=${thinkingBudget}`
          : ANTHROPIC_REQUEST_SHAPE,
    },
    reasoning,
    acceptsTemperature: temperatureAllowed,
    thinkingBudget,
    async complete(request, callOptions = {}): Promise<ModelResult> {
      return timedCall({
        timeoutMs: Math.max(1, Math.ceil(callOptions.timeoutMs ?? options.timeoutMs)),
        signal: callOptions.signal,
        secrets,
        modelId: options.id,
        send: async (requestOptions) => client.messages.create(await body(request), requestOptions),
        schema: answerSchema,
        read: ({ content, usage, stop_reason }) => {
          // Thinking and other non-text blocks are not part of the answer.
          const text = content
            .flatMap((b) => (b.type === 'text' && b.text !== undefined ? [b.text] : []))
            .join('');
          const outputTokens = usage?.output_tokens ?? null;
          if (stop_reason === 'max_tokens') {
            const limit = `max_tokens ${request.maxTokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS + thinkingBudget}`;
            return {
              kind: 'cut',
              message: noReplyReason({
                cut: true,
                limit,
                outputTokens,
                thinkingTokens: null,
                finishReason: stop_reason,
              }),
            };
          }
          if (text.trim() === '') {
            return {
              kind: 'empty',
              message: noReplyReason({
                cut: false,
                limit: null,
                outputTokens,
                thinkingTokens: null,
                finishReason: stop_reason ?? null,
              }),
            };
          }
          return {
            text,
            usage: { inputTokens: usage?.input_tokens ?? 0, outputTokens: outputTokens ?? 0 },
          };
        },
        toFailure,
      });
    },
  };
}
