import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createOpenAIAdapter,
  isReasoningModelName,
  type OpenAIAdapterOptions,
} from '../../src/adapters/openai.js';
import type { ModelAdapter } from '../../src/adapters/types.js';
import { type FakeServer, start } from '../support/fake-openai.js';
import { answerRequest, MC_PROMPT, placeholderImage, SYSTEM_PROMPT } from './requests.js';

const KEY = 'sk-test-0123456789abcdef';

let fake: FakeServer;

beforeAll(async () => {
  fake = await start({ apiKey: KEY });
});
afterAll(async () => {
  await fake.close();
});
beforeEach(() => {
  fake.requests.length = 0;
});

function adapter(overrides: Partial<OpenAIAdapterOptions> = {}): ModelAdapter {
  return createOpenAIAdapter({
    id: 'gpt-4o',
    model: 'gpt-4o',
    baseURL: fake.url,
    apiKey: KEY,
    headers: {},
    query: {},
    reasoning: undefined,
    timeoutMs: 10_000,
    maxImageSide: null,
    ...overrides,
  });
}

function lastCall() {
  const call = fake.requests.at(-1)?.call;
  if (!call) throw new Error('the fake received no chat completion request');
  return call;
}

describe('openai adapter on the wire (real SDK against a fake server)', () => {
  it('sends the model name, the key as a bearer token and the text before the image in one user turn', async () => {
    await adapter().complete(await answerRequest());
    const request = fake.requests.at(-1);
    expect(request?.path).toBe('/v1/chat/completions');
    expect(request?.headers.authorization).toBe(`Bearer ${KEY}`);
    const body = request?.body as { model: string; messages: { role: string; content: unknown }[] };
    expect(body.model).toBe('gpt-4o');
    expect(body.messages.map((m) => m.role)).toEqual(['system', 'user']);
    const parts = body.messages[1]?.content as { type: string }[];
    expect(parts.map((p) => p.type)).toEqual(['text', 'image_url']);
  });

  it('sends the original image bytes as a base64 data URL with their media type', async () => {
    const image = await placeholderImage('20192');
    await adapter().complete(await answerRequest({ image }));
    const sent = lastCall().images;
    expect(sent).toHaveLength(1);
    expect(sent[0]?.mediaType).toBe('image/jpeg');
    expect(sent[0]?.sha256).toBe(image.sha256);
  });

  it('sends the system prompt, temperature 0 and max_tokens to a chat model', async () => {
    await adapter().complete(await answerRequest({ temperature: 0, maxTokens: 16 }));
    const call = lastCall();
    expect(call.system).toBe(SYSTEM_PROMPT);
    expect(call.prompt).toBe(MC_PROMPT);
    expect(call.temperature).toBe(0);
    expect(fake.requests.at(-1)?.body).toMatchObject({ max_tokens: 16 });
  });

  it('sends no temperature when the request says null', async () => {
    await adapter().complete(await answerRequest({ temperature: null }));
    expect(fake.requests.at(-1)?.body).not.toHaveProperty('temperature');
  });

  it('sends an o-series model no system prompt, no temperature, and max_completion_tokens', async () => {
    const o3 = adapter({ id: 'o3', model: 'o3-mini' });
    expect(o3.reasoning).toBe(true);
    await o3.complete(await answerRequest({ temperature: 0, maxTokens: 2048 }));
    const body = fake.requests.at(-1)?.body as Record<string, unknown>;
    expect(lastCall().system).toBeNull();
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('max_tokens');
    expect(body.max_completion_tokens).toBe(2048);
  });

  it('lets the models file override reasoning detection both ways', async () => {
    expect(adapter({ model: 'o1', reasoning: false }).reasoning).toBe(false);
    const custom = adapter({ model: 'deepseek-r1', reasoning: true });
    await custom.complete(await answerRequest());
    expect(lastCall().system).toBeNull();
    expect(lastCall().temperature).toBeUndefined();
  });

  it('recognises o-series names, also behind a router prefix, and nothing else', () => {
    for (const name of [
      'o1',
      'o1-mini',
      'o3',
      'o3-mini',
      'o4-mini',
      'openai/o3-mini',
      'o1-2024-12-17',
      'gpt-5',
      'gpt-5-mini',
      'gpt-5.1',
      'openai/gpt-5-nano',
    ]) {
      expect(isReasoningModelName(name), name).toBe(true);
    }
    for (const name of [
      'gpt-4o',
      'gpt-4o-mini',
      'llava:13b',
      'omni-moderation-latest',
      'Qwen/Qwen2.5-VL-7B-Instruct',
      'gpt-5-chat-latest',
      'gpt-50x',
    ]) {
      expect(isReasoningModelName(name), name).toBe(false);
    }
  });

  it('shrinks an image larger than maxImageSide before sending, keeping its format', async () => {
    const image = await placeholderImage('20192', 64);
    await adapter({ maxImageSide: 32 }).complete(await answerRequest({ image }));
    const sent = lastCall().images[0];
    expect(sent?.mediaType).toBe('image/jpeg');
    const meta = await sharp(sent?.bytes).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([32, 32, 'jpeg']);
  });

  it('sends an image within maxImageSide untouched', async () => {
    const image = await placeholderImage('20192', 64);
    await adapter({ maxImageSide: 512 }).complete(await answerRequest({ image }));
    expect(lastCall().images[0]?.sha256).toBe(image.sha256);
  });

  it('sends extra headers and query parameters from the models file', async () => {
    await adapter({
      headers: { 'HTTP-Referer': 'https://example.org' },
      query: { 'api-version': '2024-10-21' },
    }).complete(await answerRequest());
    const request = fake.requests.at(-1);
    expect(request?.headers['http-referer']).toBe('https://example.org');
    expect(request?.path).toBe('/v1/chat/completions?api-version=2024-10-21');
  });

  it('sends no Authorization header to a server without authentication', async () => {
    const open = await start();
    try {
      const local = createOpenAIAdapter({
        id: 'local',
        model: 'llava',
        baseURL: open.url,
        apiKey: null,
        headers: {},
        query: {},
        reasoning: undefined,
        timeoutMs: 10_000,
        maxImageSide: null,
      });
      const result = await local.complete(await answerRequest());
      expect(result.ok).toBe(true);
      expect(open.requests[0]?.headers).not.toHaveProperty('authorization');
    } finally {
      await open.close();
    }
  });

  it('returns the reply text and the usage the server reported', async () => {
    fake.replyOnce({ kind: 'text', text: 'B', usage: { input: 321, output: 1 } });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: true, text: 'B', usage: { inputTokens: 321, outputTokens: 1 } });
  });

  it('returns an empty reply (null content) as a failure, not as an answer', async () => {
    fake.replyOnce({ kind: 'empty' });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, failure: 'empty', retryable: false });
    expect(!result.ok && result.error).toMatch(/empty reply \(finish reason stop/);
  });

  it('returns a reply with finish_reason length as a cut failure that says what to raise', async () => {
    fake.replyOnce({ kind: 'cut' });
    const result = await adapter().complete(await answerRequest({ maxTokens: 32 }));
    expect(result).toMatchObject({ ok: false, failure: 'cut', retryable: false });
    expect(!result.ok && result.error).toMatch(
      /cut off at the token limit \(max_tokens 32, 32 tokens used\).*maxTokens.*--retry-errors/,
    );
  });

  it('keeps a refusal as the reply text (the parser marks it invalid)', async () => {
    fake.replyOnce({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        choices: [{ message: { content: null, refusal: 'I cannot help.' }, finish_reason: 'stop' }],
      }),
    });
    expect(await adapter().complete(await answerRequest())).toMatchObject({
      ok: true,
      text: 'I cannot help.',
    });
  });

  it('sends gpt-5 models max_completion_tokens, no temperature and no system prompt', async () => {
    const gpt5 = adapter({ model: 'gpt-5-mini' });
    await gpt5.complete(await answerRequest({ temperature: 0, maxTokens: 4128 }));
    const body = fake.requests.at(-1)?.body as Record<string, unknown>;
    expect(body).not.toHaveProperty('temperature');
    expect(body).not.toHaveProperty('max_tokens');
    expect(body.max_completion_tokens).toBe(4128);
    expect(lastCall().system).toBeNull();
  });

  it('sends max_completion_tokens to OpenAI itself and Azure for every model, max_tokens elsewhere', async () => {
    const { capabilitiesFor } = await import('../../src/adapters/capabilities.js');
    expect(capabilitiesFor('openai', 'gpt-4o', null).tokenField).toBe('max_completion_tokens');
    expect(capabilitiesFor('openai', 'gpt-4o', 'https://x.openai.azure.com/openai/v1/').tokenField).toBe(
      'max_completion_tokens',
    );
    expect(capabilitiesFor('openai', 'gpt-4o', 'http://127.0.0.1:8000/v1').tokenField).toBe('max_tokens');
    expect(
      capabilitiesFor('openai', 'gpt-4o', 'http://127.0.0.1:8000/v1', { tokenField: 'max_completion_tokens' })
        .tokenField,
    ).toBe('max_completion_tokens');
  });

  it('gives Gemini 2.5 and later a thinking budget, unless reasoningEffort none turns thinking off', async () => {
    const { capabilitiesFor, DEFAULT_THINKING_BUDGET } = await import('../../src/adapters/capabilities.js');
    const base = 'https://generativelanguage.googleapis.com/v1beta/openai/';
    expect(capabilitiesFor('openai', 'gemini-2.5-flash', base)).toMatchObject({
      reasoning: false,
      sendsTemperature: true,
      thinkingBudget: DEFAULT_THINKING_BUDGET,
    });
    expect(capabilitiesFor('openai', 'gemini-2.0-flash', base).thinkingBudget).toBe(0);
    expect(
      capabilitiesFor('openai', 'gemini-2.5-flash', base, { reasoningEffort: 'none' }).thinkingBudget,
    ).toBe(0);
    const flash = adapter({ model: 'gemini-2.5-flash', overrides: { reasoningEffort: 'low' } });
    await flash.complete(await answerRequest());
    expect(fake.requests.at(-1)?.body).toMatchObject({ reasoning_effort: 'low' });
  });

  it('names the models-file field to set when a 400 names an unsupported parameter', async () => {
    const gpt5 = adapter({ id: 'my-gpt5', model: 'gpt-5-mini', overrides: { tokenField: 'max_tokens' } });
    const result = await gpt5.complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, status: 400, failure: 'unsupported-parameter' });
    expect(!result.ok && result.error).toContain(
      'set `tokenField: max_completion_tokens` for model "my-gpt5" in the models file',
    );
  });

  it('reports an HTML page answering instead of the API as not-api, not retried', async () => {
    fake.replyOnce({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: '<!doctype html><html><body>Welcome to nginx!</body></html>',
    });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, failure: 'not-api', retryable: false });
    expect(!result.ok && result.error).toContain('Welcome to nginx!');
  });

  it('reports zero usage when a compatible server sends none', async () => {
    fake.replyOnce({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ choices: [{ message: { role: 'assistant', content: 'A' } }] }),
    });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: true, text: 'A', usage: { inputTokens: 0, outputTokens: 0 } });
  });
});

describe('openai adapter failures', () => {
  it('maps 429 to a retryable failure with retry-after seconds in ms', async () => {
    fake.replyOnce({
      kind: 'error',
      status: 429,
      message: 'Rate limit reached',
      headers: { 'retry-after': '7' },
    });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: true, status: 429, retryAfterMs: 7000 });
    expect(!result.ok && result.error).toContain('Rate limit reached');
  });

  it('prefers retry-after-ms over retry-after', async () => {
    fake.replyOnce({ kind: 'error', status: 429, headers: { 'retry-after-ms': '250', 'retry-after': '7' } });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryAfterMs: 250 });
  });

  it('takes the wait from x-ratelimit-reset-requests when a 429 has no retry-after', async () => {
    fake.replyOnce({ kind: 'error', status: 429, headers: { 'x-ratelimit-reset-requests': '1m30s' } });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: true, retryAfterMs: 90_000 });
  });

  it('maps 500 to a retryable failure', async () => {
    fake.replyOnce({ kind: 'error', status: 500, message: 'The server had an error' });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: true, status: 500 });
  });

  it.each([400, 403, 404])('maps %i to a non-retryable failure with the server message', async (status) => {
    fake.replyOnce({ kind: 'error', status, message: `The model \`nope\` does not exist (${status})` });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: false, status });
    expect(!result.ok && result.error).toContain('does not exist');
  });

  it('maps a wrong key to a non-retryable 401 whose text does not contain the key', async () => {
    const wrongKey = 'sk-wrong-key-that-must-not-leak';
    const result = await adapter({ apiKey: wrongKey }).complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: false, status: 401 });
    expect(!result.ok && result.error).toContain('Incorrect API key');
    expect(JSON.stringify(result)).not.toContain(wrongKey);
  });

  it('maps no answer within the timeout to a retryable failure', async () => {
    fake.replyOnce({ kind: 'hang' });
    const result = await adapter().complete(await answerRequest(), { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toContain('no response within 300 ms');
  });

  it('maps a dropped connection to a retryable failure', async () => {
    fake.replyOnce({ kind: 'drop' });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toMatch(/^connection failed/);
  });

  it('maps a 200 whose body is not JSON to a retryable failure', async () => {
    fake.replyOnce({ kind: 'malformed' });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toMatch(/^malformed response/);
  });

  it('maps a 200 without choices to a retryable failure', async () => {
    fake.replyOnce({ kind: 'no-answer' });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toContain('no choices');
  });

  it('maps an abort by the caller to a non-retryable failure', async () => {
    fake.replyOnce({ kind: 'hang' });
    const controller = new AbortController();
    const pending = adapter().complete(await answerRequest(), { signal: controller.signal });
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, retryable: false, error: 'request aborted' });
  });
});
