import { z } from 'zod';
import {
  credentialOf,
  type FakeCall,
  type FakeServer,
  type FakeServerOptions,
  imageFromBase64,
  startFakeServer,
  type WireFormat,
} from './fake-http.js';

export type { FakeCall, FakeHandler, FakeReply, FakeServer, RecordedRequest } from './fake-http.js';
export { alwaysA, tableHandler } from './fake-http.js';

/**
 * A fake Anthropic Messages API: `POST /v1/messages` (non-streaming). `url` is the origin, as the
 * Anthropic SDK's `baseURL` expects (it appends `/v1/messages` itself). `{ kind: 'error', status: 529 }`
 * gives Anthropic's "overloaded" body. Like the real API at version 2026-10-21 (which the SDK sends), it
 * answers 400 to `temperature`, `top_p` or `top_k`; with an older `anthropic-version` header it accepts them.
 */

const block = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  source: z
    .looseObject({ type: z.string(), media_type: z.string().optional(), data: z.string().optional() })
    .optional(),
});

const messagesRequest = z.object({
  model: z.string(),
  max_tokens: z.number(),
  system: z.union([z.string(), z.array(block)]).optional(),
  temperature: z.number().optional(),
  messages: z.array(z.object({ role: z.string(), content: z.union([z.string(), z.array(block)]) })),
});

type Block = z.infer<typeof block>;

function blocksOf(content: string | Block[]): Block[] {
  return typeof content === 'string' ? [{ type: 'text', text: content }] : content;
}

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

let counter = 0;

const anthropicWire: WireFormat = {
  path: '/v1/messages',
  baseSuffix: '',
  toCall(body, headers): FakeCall | null {
    const parsed = messagesRequest.safeParse(body);
    if (!parsed.success) return null;
    const { system, messages } = parsed.data;
    const user = messages.filter((m) => m.role === 'user').flatMap((m) => blocksOf(m.content));
    const systemText =
      system === undefined
        ? null
        : typeof system === 'string'
          ? system
          : system.map((b) => b.text ?? '').join('\n');
    return {
      model: parsed.data.model,
      system: systemText,
      prompt: user.flatMap((b) => (b.type === 'text' && b.text !== undefined ? [b.text] : [])).join('\n'),
      images: user.flatMap((b) =>
        b.type === 'image' && b.source?.type === 'base64' && b.source.data !== undefined
          ? [imageFromBase64(b.source.media_type ?? '', b.source.data)]
          : [],
      ),
      temperature: parsed.data.temperature,
      maxTokens: parsed.data.max_tokens,
      credential: credentialOf(headers),
    };
  },
  answerBody(call, text, usage, stop = 'end') {
    counter += 1;
    return {
      id: `msg_fake_${counter}`,
      type: 'message',
      role: 'assistant',
      model: call.model,
      content: text === null ? [] : [{ type: 'text', text }],
      stop_reason: stop === 'limit' ? 'max_tokens' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: usage.input, output_tokens: usage.output },
    };
  },
  noAnswerBody(call) {
    return { id: 'msg_fake_broken', type: 'message', role: 'assistant', model: call.model };
  },
  validate(body, headers) {
    // API version 2026-10-21 (what the SDK sends) rejects sampling parameters, even at their defaults.
    const version = headers['anthropic-version'];
    if (typeof version !== 'string' || version < '2026-10-21') return null;
    const sampling = ['temperature', 'top_p', 'top_k'].find(
      (name) => body !== null && typeof body === 'object' && name in body,
    );
    return sampling ? { status: 400, message: `${sampling}: Extra inputs are not permitted` } : null;
  },
  errorBody(status, message) {
    const type = ERROR_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
    return {
      type: 'error',
      error: { type, message: status === 529 && message.startsWith('Fake') ? 'Overloaded' : message },
    };
  },
};

export function start(options: FakeServerOptions = {}): Promise<FakeServer> {
  return startFakeServer(anthropicWire, options);
}
