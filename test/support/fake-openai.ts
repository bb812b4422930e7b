import { z } from 'zod';
import {
  credentialOf,
  decodeDataUrl,
  type FakeCall,
  type FakeImage,
  type FakeServer,
  type FakeServerOptions,
  startFakeServer,
  type WireFormat,
} from './fake-http.js';

export type { FakeCall, FakeHandler, FakeReply, FakeServer, RecordedRequest } from './fake-http.js';
export { alwaysA, tableHandler } from './fake-http.js';

/**
 * A fake OpenAI-compatible server speaking `POST /v1/chat/completions` (non-streaming), as OpenAI, vLLM,
 * Ollama and the other compatible servers do. `url` ends in `/v1`: use it as `baseURL`.
 *
 *   const fake = await start();                  // replies "A"
 *   fake.replyOnce({ kind: 'error', status: 429, headers: { 'retry-after': '2' } });
 *   fake.requests[0].call?.images[0].sha256      // what the model was shown
 */

const imageUrlPart = z.object({ type: z.literal('image_url'), image_url: z.object({ url: z.string() }) });
const contentPart = z.looseObject({ type: z.string(), text: z.string().optional() });

const chatRequest = z.object({
  model: z.string(),
  messages: z.array(
    z.object({
      role: z.string(),
      content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
    }),
  ),
  temperature: z.number().optional(),
  max_tokens: z.number().optional(),
  max_completion_tokens: z.number().optional(),
});

function textOf(content: z.infer<typeof chatRequest>['messages'][number]['content']): string[] {
  if (typeof content === 'string') return [content];
  if (!content) return [];
  return content.flatMap((part) => (part.type === 'text' && part.text !== undefined ? [part.text] : []));
}

let counter = 0;

const openAIWire: WireFormat = {
  path: '/v1/chat/completions',
  baseSuffix: '/v1',
  toCall(body, headers): FakeCall | null {
    const parsed = chatRequest.safeParse(body);
    if (!parsed.success) return null;
    const { messages } = parsed.data;
    const system = messages
      .filter((m) => m.role === 'system' || m.role === 'developer')
      .flatMap((m) => textOf(m.content));
    const user = messages.filter((m) => m.role === 'user');
    const images: FakeImage[] = [];
    for (const message of user) {
      if (!Array.isArray(message.content)) continue;
      for (const part of message.content) {
        const imagePart = imageUrlPart.safeParse(part);
        const image = imagePart.success ? decodeDataUrl(imagePart.data.image_url.url) : null;
        if (image) images.push(image);
      }
    }
    return {
      model: parsed.data.model,
      system: system.length > 0 ? system.join('\n') : null,
      prompt: user.flatMap((m) => textOf(m.content)).join('\n'),
      images,
      temperature: parsed.data.temperature,
      maxTokens: parsed.data.max_completion_tokens ?? parsed.data.max_tokens,
      credential: credentialOf(headers),
    };
  },
  answerBody(call, text, usage, stop = 'end') {
    counter += 1;
    return {
      id: `chatcmpl-fake-${counter}`,
      object: 'chat.completion',
      created: Math.floor(Date.now() / 1000),
      model: call.model,
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: text, refusal: null },
          finish_reason: stop === 'limit' ? 'length' : 'stop',
          logprobs: null,
        },
      ],
      usage: {
        prompt_tokens: usage.input,
        completion_tokens: usage.output,
        total_tokens: usage.input + usage.output,
      },
    };
  },
  noAnswerBody(call) {
    return { id: 'chatcmpl-fake-empty', object: 'chat.completion', model: call.model, choices: [] };
  },
  validate(body) {
    // OpenAI's reasoning models (o-series, gpt-5) refuse max_tokens and any temperature but the default.
    const request = chatRequest.safeParse(body);
    if (!request.success || !/^(o\d+|gpt-5(?!.*-chat))/.test(request.data.model.replace(/^fake-/, ''))) {
      return null;
    }
    if (request.data.max_tokens !== undefined) {
      return {
        status: 400,
        message:
          "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.",
        param: 'max_tokens',
      };
    }
    if (request.data.temperature !== undefined && request.data.temperature !== 1) {
      return {
        status: 400,
        message: `Unsupported value: 'temperature' does not support ${request.data.temperature} with this model. Only the default (1) value is supported.`,
        param: 'temperature',
      };
    }
    return null;
  },
  errorBody(status, message, param) {
    const type =
      status === 429
        ? 'rate_limit_exceeded'
        : status === 401
          ? 'invalid_request_error'
          : status >= 500
            ? 'server_error'
            : 'invalid_request_error';
    const code = status === 401 ? 'invalid_api_key' : param !== undefined ? 'unsupported_parameter' : null;
    return { error: { message, type, param: param ?? null, code } };
  },
};

export function start(options: FakeServerOptions = {}): Promise<FakeServer> {
  return startFakeServer(openAIWire, options);
}
