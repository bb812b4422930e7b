import { describe, expect, it } from 'vitest';
import { createOpenAIAdapter } from '../../src/adapters/openai.js';
import { start as startAnthropic, tableHandler } from '../support/fake-anthropic.js';
import { start as startOpenAI } from '../support/fake-openai.js';
import { answerRequest, placeholderImage } from './requests.js';

/** The fake servers are shared test infrastructure (runner, bot): their own behaviour is specified here. */
describe('fake model servers', () => {
  it('answer from a table keyed by the sha256 of the image shown', async () => {
    const [first, second] = await Promise.all([placeholderImage('20192'), placeholderImage('20193')]);
    const fake = await startOpenAI({ handler: tableHandler({ byImageSha256: { [second.sha256]: 'B' } }) });
    try {
      const adapter = createOpenAIAdapter({
        id: 'gpt',
        model: 'gpt-4o',
        baseURL: fake.url,
        apiKey: 'k',
        headers: {},
        query: {},
        reasoning: undefined,
        timeoutMs: 10_000,
        maxImageSide: null,
      });
      const replies = [];
      for (const image of [first, second]) {
        const result = await adapter.complete(await answerRequest({ image }));
        replies.push(result.ok ? result.text : result.error);
      }
      expect(replies).toEqual(['A', 'B']);
    } finally {
      await fake.close();
    }
  });

  it('record every request, including ones to unknown paths, which get a 404', async () => {
    const fake = await startAnthropic();
    try {
      const response = await fetch(`${fake.origin}/v1/complete`, { method: 'POST', body: '{}' });
      expect(response.status).toBe(404);
      expect(fake.requests).toHaveLength(1);
      expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/complete', call: null });
    } finally {
      await fake.close();
    }
  });

  it('switch handlers with setHandler and close even with a request left hanging', async () => {
    const fake = await startOpenAI();
    fake.setHandler(() => ({ kind: 'hang' }));
    const pending = fetch(`${fake.url}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', messages: [{ role: 'user', content: 'hi' }] }),
    }).catch((err: unknown) => err);
    while (fake.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await fake.close();
    expect(await pending).toBeInstanceOf(Error);
  });
});
