import Anthropic from '@anthropic-ai/sdk';
import { z } from 'zod';
import { type CallFailure, classifyUnknownError, rootMessage } from './http-errors.js';
import { imagePayload } from './image-payload.js';
import { timedCall } from './timed-call.js';
import type { ModelAdapter, ModelRequest, ModelResult } from './types.js';

/** The `anthropic` provider: the Messages API through the official SDK. */

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

/** The first API version that answers 400 to `temperature`, `top_p` and `top_k`, even at their defaults. */
export const NO_SAMPLING_API_VERSION = '2026-10-21';

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
  reasoning: boolean | undefined;
  timeoutMs: number;
  maxImageSide: number | null;
}

const answerSchema = z.object({
  content: z.array(z.looseObject({ type: z.string(), text: z.string().optional() })),
  usage: z.object({ input_tokens: z.number().nullish(), output_tokens: z.number().nullish() }).nullish(),
});

type MessageParams = Parameters<Anthropic['messages']['create']>[0];

export function createAnthropicAdapter(options: AnthropicAdapterOptions): ModelAdapter {
  const reasoning = options.reasoning ?? false;
  const temperatureAllowed = acceptsTemperature(options.headers);
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
    const content: Anthropic.ContentBlockParam[] = [{ type: 'text', text: request.prompt }];
    if (request.image) {
      const image = await imagePayload(request.image, options.maxImageSide);
      content.push({
        type: 'image',
        source: { type: 'base64', media_type: image.mediaType, data: image.base64 },
      });
    }
    return {
      model: options.model,
      max_tokens: request.maxTokens,
      messages: [{ role: 'user', content }],
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
      return { kind: 'http', status: err.status, headers: err.headers, message };
    }
    return classifyUnknownError(err);
  }

  return {
    id: options.id,
    identity: { provider: 'anthropic', baseURL: options.baseURL, model: options.model },
    reasoning,
    acceptsTemperature: temperatureAllowed,
    async complete(request, callOptions = {}): Promise<ModelResult> {
      return timedCall({
        timeoutMs: Math.max(1, Math.ceil(callOptions.timeoutMs ?? options.timeoutMs)),
        signal: callOptions.signal,
        secrets,
        send: async (requestOptions) => client.messages.create(await body(request), requestOptions),
        schema: answerSchema,
        read: ({ content, usage }) => ({
          // Thinking and other non-text blocks are not part of the answer.
          text: content.flatMap((b) => (b.type === 'text' && b.text !== undefined ? [b.text] : [])).join(''),
          usage: { inputTokens: usage?.input_tokens ?? 0, outputTokens: usage?.output_tokens ?? 0 },
        }),
        toFailure,
      });
    },
  };
}
