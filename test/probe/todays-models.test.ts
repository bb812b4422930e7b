import { createServer } from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { type FakeServer, start } from '../support/fake-openai.js';
import { makeWorkspace, modelsYaml, openaiModel, runIdFrom, type Workspace } from './harness.js';

/**
 * What a user running the probe against today's models meets first: reasoning models' parameters, replies
 * cut by the token limit, and runs that cannot work (bad key, a web page instead of the API, nothing
 * listening), which must stop at once with the server's message and a non-zero exit code.
 */

const CONCURRENCY = 4;

let ws: Workspace;
let fake: FakeServer;

beforeEach(async () => {
  ws = await makeWorkspace();
});

afterEach(async () => {
  await fake?.close();
  await ws?.cleanup();
});

function run(model: string, extra: string[] = [], env: Record<string, string> = {}) {
  return ws.cli(['probe', 'run', '--model', model, '--pairs', '10', '--no-progress', ...extra], env);
}

describe("today's reasoning models", () => {
  it('sends a gpt-5-mini model max_completion_tokens and no temperature, and it answers', async () => {
    fake = await start();
    await ws.writeModels(modelsYaml(openaiModel('gpt5', fake.url, { model: 'gpt-5-mini' })));
    const result = await run('gpt5', ['--pairs', '2']);
    expect(result.code).toBe(EXIT.ok);
    expect(fake.requests).toHaveLength(4);
    for (const request of fake.requests) {
      expect(request.body).not.toHaveProperty('temperature');
      expect(request.body).not.toHaveProperty('max_tokens');
      // The official 32 tokens for the letter plus the default thinking budget.
      expect(request.body).toMatchObject({ max_completion_tokens: 32 + 4096 });
      expect(request.call?.system).toBeNull();
    }
  });

  it('says which models-file field to set when the server refuses a parameter, and stops at once', async () => {
    fake = await start();
    await ws.writeModels(
      modelsYaml(
        openaiModel('gpt5', fake.url, {
          model: 'gpt-5-mini',
          tokenField: 'max_tokens',
          concurrency: CONCURRENCY,
        }),
      ),
    );
    const result = await run('gpt5');
    expect(result.code).toBe(EXIT.config);
    expect(fake.requests.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(result.err).toContain("Unsupported parameter: 'max_tokens'");
    expect(result.err).toContain(
      'set `tokenField: max_completion_tokens` for model "gpt5" in the models file',
    );
  });
});

describe('a reply cut by the token limit', () => {
  it('is an ERROR with its reason, and --retry-errors asks it again', async () => {
    fake = await start();
    await ws.writeModels(modelsYaml(openaiModel('m', fake.url, { concurrency: 1 })));
    fake.replyOnce({ kind: 'cut' });
    const out = path.join(ws.dir, 'out-cut');
    const first = await run('m', ['--pairs', '2', '--out', out]);
    expect(first.code).toBe(EXIT.someErrors);
    const { results } = await ws.readRunFile(out);
    const cut = results.filter((r) => r.outcome === 'ERROR');
    expect(cut).toHaveLength(1);
    expect(cut[0]?.reason).toMatch(/cut off at the token limit \(max_tokens 32/);
    expect(results.filter((r) => r.outcome === 'INVALID')).toHaveLength(0);
    expect(first.out).toContain('1 image(s) ended in ERROR');
    expect(first.out).toContain('mediconfusion probe run --model m --pairs 2 --retry-errors');

    const asked = fake.requests.length;
    const again = await run('m', ['--pairs', '2', '--retry-errors', '--out', out]);
    expect(again.code).toBe(EXIT.ok);
    expect(fake.requests.length - asked).toBe(1);
    const retried = await ws.readRunFile(out);
    expect(retried.results.every((r) => r.outcome === 'ANSWERED')).toBe(true);
  });
});

describe('a run that cannot work stops at once', () => {
  it('on a 401: at most one request per concurrent slot, the server message without the key, exit 1', async () => {
    fake = await start({ apiKey: 'sk-the-right-key' });
    await ws.writeModels(modelsYaml(openaiModel('m', fake.url, { concurrency: CONCURRENCY })));
    const result = await run('m');
    expect(result.code).toBe(EXIT.config);
    expect(fake.requests.length).toBeGreaterThanOrEqual(1);
    expect(fake.requests.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(result.err).toContain('Incorrect API key provided');
    expect(result.err).toContain('authentication or permission');
    expect(`${result.out}${result.err}`).not.toContain(ws.env.FAKE_KEY);
    const record = await ws.readRunFile(path.join(ws.runsDir, runIdFrom(result.out)));
    expect(record.run.status).toBe('failed');
    // Nothing from the refused requests is kept as an answer: every image is still to be asked.
    expect(record.results).toHaveLength(0);
  });

  it('continues the same run once the key is fixed, asking every image', async () => {
    fake = await start({ apiKey: 'sk-the-right-key' });
    await ws.writeModels(modelsYaml(openaiModel('m', fake.url, { concurrency: CONCURRENCY })));
    const failed = await run('m');
    expect(failed.code).toBe(EXIT.config);
    const fixed = await run('m', [], { FAKE_KEY: 'sk-the-right-key' });
    expect(fixed.code).toBe(EXIT.ok);
    expect(runIdFrom(fixed.out)).toBe(runIdFrom(failed.out));
    expect(fixed.out).toContain('Status completed');
  });

  it('on an HTML page instead of the API, the same way', async () => {
    fake = await start({
      handler: () => ({
        kind: 'raw',
        status: 200,
        headers: { 'content-type': 'text/html; charset=utf-8' },
        body: '<!DOCTYPE html><html><head><title>Sign in</title></head><body>Portal</body></html>',
      }),
    });
    await ws.writeModels(modelsYaml(openaiModel('m', fake.url, { concurrency: CONCURRENCY })));
    const result = await run('m');
    expect(result.code).toBe(EXIT.config);
    expect(fake.requests.length).toBeLessThanOrEqual(CONCURRENCY);
    expect(result.err).toContain("did not answer with the API's JSON");
    expect(result.err).toContain('<title>Sign in</title>');
    expect(result.err).toContain('Check `baseURL`');
  });

  it('when nothing listens at the address, without retrying every image', async () => {
    // A port that was free a moment ago: connections are refused.
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    fake = await start();
    await ws.writeModels(
      modelsYaml(openaiModel('m', `http://127.0.0.1:${port}/v1`, { concurrency: CONCURRENCY })),
    );
    const result = await run('m');
    expect(result.code).toBe(EXIT.config);
    expect(result.err).toMatch(
      /nothing answers at http:\/\/127\.0\.0\.1:\d+\/v1: connection failed: .*ECONNREFUSED/,
    );
    expect(result.out).toContain('20 not asked yet');
  });

  it('when the first requests all fail the same way, without a reply in between', async () => {
    fake = await start({ handler: () => ({ kind: 'error', status: 400, message: 'image format rejected' }) });
    await ws.writeModels(modelsYaml(openaiModel('m', fake.url, { concurrency: 1 })));
    const result = await run('m');
    expect(result.code).toBe(EXIT.config);
    expect(fake.requests).toHaveLength(3);
    expect(result.err).toContain('the first 3 requests all failed the same way');
    expect(result.err).toContain('image format rejected');
  });
});
