import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AnthropicAdapterOptions, createAnthropicAdapter } from '../../src/adapters/anthropic.js';
import type { ModelAdapter } from '../../src/adapters/types.js';
import { type FakeServer, start } from '../support/fake-anthropic.js';
import { answerRequest, MC_PROMPT, placeholderImage, SYSTEM_PROMPT } from './requests.js';

const KEY = 'sk-ant-test-0123456789abcdef';

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

function adapter(overrides: Partial<AnthropicAdapterOptions> = {}): ModelAdapter {
  return createAnthropicAdapter({
    id: 'claude',
    model: 'claude-sonnet-4-6',
    baseURL: fake.url,
    apiKey: KEY,
    headers: {},
    reasoning: undefined,
    timeoutMs: 10_000,
    maxImageSide: null,
    ...overrides,
  });
}

function lastBody(): Record<string, unknown> {
  return fake.requests.at(-1)?.body as Record<string, unknown>;
}

function lastCall() {
  const call = fake.requests.at(-1)?.call;
  if (!call) throw new Error('the fake received no messages request');
  return call;
}

describe('anthropic adapter on the wire (real SDK against a fake server)', () => {
  it('posts to /v1/messages with the model name, the key and max_tokens', async () => {
    await adapter().complete(await answerRequest({ maxTokens: 16 }));
    const request = fake.requests.at(-1);
    expect(request?.path).toBe('/v1/messages');
    expect(lastCall().credential).toBe(KEY);
    expect(lastBody()).toMatchObject({ model: 'claude-sonnet-4-6', max_tokens: 16 });
  });

  it('sends one user turn of a base64 image block then the text, as the official Claude runner does', async () => {
    const image = await placeholderImage('20192');
    await adapter().complete(await answerRequest({ image }));
    const messages = lastBody().messages as { role: string; content: { type: string; source?: unknown }[] }[];
    expect(messages.map((m) => m.role)).toEqual(['user']);
    expect(messages[0]?.content.map((b) => b.type)).toEqual(['image', 'text']);
    expect(messages[0]?.content[0]?.source).toMatchObject({ type: 'base64', media_type: 'image/jpeg' });
    expect(lastCall().images[0]?.sha256).toBe(image.sha256);
    expect(lastCall().prompt).toBe(MC_PROMPT);
  });

  it('sends the system prompt when given', async () => {
    await adapter().complete(await answerRequest());
    expect(lastCall().system).toBe(SYSTEM_PROMPT);
  });

  it("sends no temperature at the SDK's API version, which rejects any, and says so", async () => {
    const claude = adapter();
    expect(claude.acceptsTemperature).toBe(false);
    const result = await claude.complete(await answerRequest({ temperature: 0 }));
    expect(result.ok).toBe(true);
    expect(fake.requests.at(-1)?.headers['anthropic-version']).toBe('2026-10-21');
    expect(lastBody()).not.toHaveProperty('temperature');
  });

  it('sends temperature 0 when the models file pins an API version that accepts it', async () => {
    const pinned = adapter({ headers: { 'anthropic-version': '2023-06-01' } });
    expect(pinned.acceptsTemperature).toBe(true);
    const result = await pinned.complete(await answerRequest({ temperature: 0 }));
    expect(result.ok).toBe(true);
    expect(fake.requests.at(-1)?.headers['anthropic-version']).toBe('2023-06-01');
    expect(lastCall().temperature).toBe(0);
  });

  it('sends neither system nor temperature when the request has none', async () => {
    await adapter().complete(await answerRequest({ system: null, temperature: null }));
    expect(lastBody()).not.toHaveProperty('system');
    expect(lastBody()).not.toHaveProperty('temperature');
  });

  it('drops system and temperature for a model marked reasoning in the models file', async () => {
    const thinking = adapter({ reasoning: true, headers: { 'anthropic-version': '2023-06-01' } });
    expect(thinking.reasoning).toBe(true);
    await thinking.complete(await answerRequest());
    expect(lastBody()).not.toHaveProperty('system');
    expect(lastBody()).not.toHaveProperty('temperature');
  });

  it('shrinks an image larger than maxImageSide', async () => {
    await adapter({ maxImageSide: 40 }).complete(
      await answerRequest({ image: await placeholderImage('20192', 64) }),
    );
    const meta = await sharp(lastCall().images[0]?.bytes).metadata();
    expect([meta.width, meta.height]).toEqual([40, 40]);
  });

  it('sends extra headers from the models file', async () => {
    await adapter({ headers: { 'anthropic-beta': 'some-feature' } }).complete(await answerRequest());
    expect(fake.requests.at(-1)?.headers['anthropic-beta']).toBe('some-feature');
  });

  it('returns the text and usage of the reply', async () => {
    fake.replyOnce({ kind: 'text', text: 'B', usage: { input: 1234, output: 1 } });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: true, text: 'B', usage: { inputTokens: 1234, outputTokens: 1 } });
  });

  it('returns an empty content list as a failure, not as an answer', async () => {
    fake.replyOnce({ kind: 'empty' });
    expect(await adapter().complete(await answerRequest())).toMatchObject({
      ok: false,
      failure: 'empty',
      retryable: false,
      error: expect.stringContaining('empty reply'),
    });
  });

  it('returns a reply stopped at max_tokens as a cut failure that says what to raise', async () => {
    fake.replyOnce({ kind: 'cut', text: 'The answer is' });
    const result = await adapter().complete(await answerRequest({ maxTokens: 16 }));
    expect(result).toMatchObject({ ok: false, failure: 'cut', retryable: false });
    expect(!result.ok && result.error).toMatch(
      /cut off at the token limit \(max_tokens 16.*maxTokens.*--retry-errors/,
    );
  });

  it('sends extended thinking with its budget, room for the answer on top, and no temperature', async () => {
    const thinker = adapter({
      overrides: { thinkingBudget: 2048 },
      headers: { 'anthropic-version': '2023-06-01' },
    });
    expect(thinker.thinkingBudget).toBe(2048);
    expect(thinker.acceptsTemperature).toBe(false);
    await thinker.complete(await answerRequest({ maxTokens: 2048 + 32, temperature: 0 }));
    expect(lastBody()).toMatchObject({
      max_tokens: 2080,
      thinking: { type: 'enabled', budget_tokens: 2048 },
    });
    expect(lastBody()).not.toHaveProperty('temperature');
  });

  it("sends the official Claude runner's 2048 tokens when the protocol sets no limit", async () => {
    await adapter().complete(await answerRequest({ maxTokens: null }));
    expect(lastBody()).toMatchObject({ max_tokens: 2048 });
  });

  it('joins the text blocks and skips thinking blocks', async () => {
    fake.replyOnce({
      kind: 'raw',
      status: 200,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        content: [
          { type: 'thinking', thinking: 'Looks like a sarcoma.', signature: 'x' },
          { type: 'text', text: 'Answer: ' },
          { type: 'text', text: 'B' },
        ],
        usage: { input_tokens: 10, output_tokens: 20 },
      }),
    });
    expect(await adapter().complete(await answerRequest())).toMatchObject({ ok: true, text: 'Answer: B' });
  });
});

describe('anthropic adapter failures', () => {
  it('maps 529 overloaded to a retryable failure with the API message', async () => {
    fake.replyOnce({ kind: 'error', status: 529 });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({
      ok: false,
      retryable: true,
      status: 529,
      error: '529 overloaded_error: Overloaded',
    });
  });

  it('maps 429 with retry-after to a retryable failure with the wait in ms', async () => {
    fake.replyOnce({
      kind: 'error',
      status: 429,
      message: 'Number of requests has exceeded your rate limit',
      headers: { 'retry-after': '12' },
    });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: true, status: 429, retryAfterMs: 12_000 });
  });

  it('takes the wait from anthropic-ratelimit-requests-reset when there is no retry-after', async () => {
    const reset = new Date(Date.now() + 60_000).toISOString();
    fake.replyOnce({ kind: 'error', status: 429, headers: { 'anthropic-ratelimit-requests-reset': reset } });
    const result = await adapter().complete(await answerRequest());
    expect(result.ok).toBe(false);
    const wait = result.ok ? 0 : (result.retryAfterMs ?? 0);
    expect(wait).toBeGreaterThan(50_000);
    expect(wait).toBeLessThanOrEqual(60_000);
  });

  it('maps 500 to a retryable failure', async () => {
    fake.replyOnce({ kind: 'error', status: 500, message: 'Internal server error' });
    expect(await adapter().complete(await answerRequest())).toMatchObject({
      ok: false,
      retryable: true,
      status: 500,
    });
  });

  it('maps 400 to a non-retryable failure with the API message', async () => {
    fake.replyOnce({
      kind: 'error',
      status: 400,
      message: 'messages.0.content.1.image.source.base64: invalid image',
    });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({
      ok: false,
      retryable: false,
      status: 400,
      error: '400 invalid_request_error: messages.0.content.1.image.source.base64: invalid image',
    });
  });

  it('maps a wrong key to a non-retryable 401 whose text does not contain the key', async () => {
    const wrongKey = 'sk-ant-wrong-key-must-not-leak';
    const result = await adapter({ apiKey: wrongKey }).complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: false, status: 401 });
    expect(JSON.stringify(result)).not.toContain(wrongKey);
  });

  it('maps no answer within the timeout to a retryable failure', async () => {
    fake.replyOnce({ kind: 'hang' });
    const result = await adapter().complete(await answerRequest(), { timeoutMs: 300 });
    expect(result).toMatchObject({ ok: false, retryable: true, error: 'no response within 300 ms' });
  });

  it('maps a dropped connection to a retryable failure', async () => {
    fake.replyOnce({ kind: 'drop' });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toMatch(/^connection failed/);
  });

  it('maps a body that is not JSON to a retryable failure', async () => {
    fake.replyOnce({ kind: 'malformed' });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toMatch(/^malformed response/);
  });

  it('maps a 200 without content to a retryable failure', async () => {
    fake.replyOnce({ kind: 'no-answer' });
    const result = await adapter().complete(await answerRequest());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error).toMatch(/^malformed response: content/);
  });
});
