import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAnthropicAdapter } from '../../src/adapters/anthropic.js';
import { createOpenAIAdapter } from '../../src/adapters/openai.js';
import { createRandomAdapter } from '../../src/adapters/random.js';
import type { ModelAdapter, ModelRequest, Usage } from '../../src/adapters/types.js';
import type { ImageResult } from '../../src/probe/records.js';
import { createRecordedRunAdapter } from '../../src/probe/replay.js';
import { start as startAnthropic } from '../support/fake-anthropic.js';
import type { FakeServer } from '../support/fake-http.js';
import { start as startOpenAI } from '../support/fake-openai.js';
import { answerRequest } from './requests.js';

/**
 * What every provider promises (src/adapters/types.ts), checked the same way for each. A provider joins
 * the suite with one line in SUBJECTS: a factory saying how to make it answer, fail and leak.
 */
interface Subject {
  adapter: ModelAdapter;
  /** Makes the next request be answered with this reply; absent for providers that pick their own (random). */
  script?: (reply: { text: string; usage: Usage }) => void;
  /** The usage reported for a scripted reply: the provider's count, or zeros for offline providers. */
  usageFor: (scripted: Usage) => Usage;
  /** Makes the next request fail at the provider (a 500, an unreadable store); absent when nothing can fail. */
  breakNext?: () => void;
  /** Makes the next failure message echo the secret, as careless servers do; absent for keyless providers. */
  echoSecretNext?: () => void;
  secret: string | null;
  close(): Promise<void>;
}

const SECRET = 'sk-contract-secret-value-123456';

function fakeSubject(fake: FakeServer, adapter: ModelAdapter): Subject {
  return {
    adapter,
    script: (reply) =>
      fake.replyOnce({
        kind: 'text',
        text: reply.text,
        usage: { input: reply.usage.inputTokens, output: reply.usage.outputTokens },
      }),
    usageFor: (scripted) => scripted,
    breakNext: () => fake.replyOnce({ kind: 'error', status: 500, message: 'upstream exploded' }),
    echoSecretNext: () =>
      fake.replyOnce({ kind: 'error', status: 400, message: `Invalid header value: Bearer ${SECRET}` }),
    secret: SECRET,
    close: () => fake.close(),
  };
}

async function openaiSubject(): Promise<Subject> {
  const fake = await startOpenAI();
  const options = { headers: {}, query: {}, reasoning: undefined, timeoutMs: 10_000, maxImageSide: null };
  return fakeSubject(
    fake,
    createOpenAIAdapter({ id: 'gpt-4o', model: 'gpt-4o', baseURL: fake.url, apiKey: SECRET, ...options }),
  );
}

async function anthropicSubject(): Promise<Subject> {
  const fake = await startAnthropic();
  const options = { headers: {}, reasoning: undefined, timeoutMs: 10_000, maxImageSide: null };
  return fakeSubject(
    fake,
    createAnthropicAdapter({
      id: 'claude',
      model: 'claude-sonnet-4-6',
      baseURL: fake.url,
      apiKey: SECRET,
      ...options,
    }),
  );
}

async function randomSubject(): Promise<Subject> {
  return {
    adapter: createRandomAdapter({ id: 'random', model: 'coin-flip', seed: 0 }),
    usageFor: () => ({ inputTokens: 0, outputTokens: 0 }),
    secret: null,
    close: async () => {},
  };
}

function recorded(pairId: string, slot: 0 | 1, reply: string): ImageResult {
  return {
    pairId,
    slot,
    imageSha256: null,
    outcome: 'ANSWERED',
    chosen: null,
    correctOption: 'A',
    scores: null,
    reply,
    reason: null,
    judge: { reply, explanation: null, templateSha256: 'judge' },
    templateSha256: 'template',
    systemSha256: null,
    latencyMs: 0,
    usage: { inputTokens: 0, outputTokens: 0 },
    costUsd: 0,
    requests: 1,
    cached: false,
  };
}

async function replaySubject(): Promise<Subject> {
  const items = new Map<string, ImageResult>();
  let broken = false;
  const adapter = createRecordedRunAdapter({
    id: 'replay',
    runId: 'run-1',
    items: {
      get: async (key) => {
        if (broken) {
          broken = false;
          throw new Error('database is locked');
        }
        return items.get(key);
      },
    },
  });
  return {
    adapter,
    script: (reply) => {
      for (const slot of [0, 1] as const)
        items.set(`run-1/10001/${slot}`, recorded('10001', slot, reply.text));
    },
    usageFor: () => ({ inputTokens: 0, outputTokens: 0 }),
    breakNext: () => {
      broken = true;
    },
    secret: null,
    close: async () => {},
  };
}

const SUBJECTS: [string, () => Promise<Subject>][] = [
  ['openai', openaiSubject],
  ['anthropic', anthropicSubject],
  ['random', randomSubject],
  ['replay', replaySubject],
];

describe.each(SUBJECTS)('%s adapter contract', (_name, make) => {
  let subject: Subject;
  beforeAll(async () => {
    subject = await make();
  });
  afterAll(async () => {
    await subject.close();
  });

  const request = (overrides: Partial<ModelRequest> = {}) => answerRequest(overrides);

  it('answers a question about an image with ok, a text, usage counts and a latency', async () => {
    subject.script?.({ text: 'A', usage: { inputTokens: 100, outputTokens: 1 } });
    const result = await subject.adapter.complete(await request());
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(typeof result.text).toBe('string');
    for (const n of [result.usage.inputTokens, result.usage.outputTokens, result.latencyMs]) {
      expect(Number.isInteger(n) && n >= 0).toBe(true);
    }
  });

  it('returns the reply text verbatim and the usage as counted', async (ctx) => {
    if (!subject.script) ctx.skip();
    const usage = { inputTokens: 512, outputTokens: 7 };
    subject.script?.({ text: '  B. Sarcoma\n', usage });
    const result = await subject.adapter.complete(await request());
    expect(result).toMatchObject({ ok: true, text: '  B. Sarcoma\n', usage: subject.usageFor(usage) });
  });

  it('answers a judge request, which has no image', async () => {
    subject.script?.({
      text: 'A: 9\nB: 2\nYour explanation: close to A.',
      usage: { inputTokens: 80, outputTokens: 12 },
    });
    const result = await subject.adapter.complete(
      await request({ image: null, context: { pairId: '10001', slot: 0, purpose: 'judge' } }),
    );
    expect(result.ok).toBe(true);
    expect(result.ok && result.text).toMatch(/A: \d+\nB: \d+/);
  });

  it('returns a provider failure as data instead of throwing', async (ctx) => {
    if (!subject.breakNext) ctx.skip();
    subject.breakNext?.();
    const result = await subject.adapter.complete(await request());
    expect(result).toMatchObject({ ok: false, retryable: true });
    expect(!result.ok && result.error.length).toBeGreaterThan(0);
  });

  it('returns a request aborted before it started as a non-retryable failure', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await subject.adapter.complete(await request(), { signal: controller.signal });
    expect(result).toMatchObject({ ok: false, retryable: false });
  });

  it('never lets the key into an error text, even when the server echoes it', async (ctx) => {
    if (!subject.echoSecretNext || subject.secret === null) ctx.skip();
    subject.echoSecretNext?.();
    const result = await subject.adapter.complete(await request());
    expect(result.ok).toBe(false);
    expect(JSON.stringify(result)).not.toContain(subject.secret ?? '');
  });

  it('keeps credentials out of its identity, which keys the cache', () => {
    const identity = JSON.stringify(subject.adapter.identity);
    expect(identity).not.toContain(SECRET);
    expect(subject.adapter.identity.model.length).toBeGreaterThan(0);
  });
});
