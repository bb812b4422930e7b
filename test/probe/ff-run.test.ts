import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import type { ImageResult } from '../../src/probe/records.js';
import { selectPairs } from '../../src/probe/selection.js';
import { type OptionScores, parseJudgeReply, scoreSet } from '../../src/scoring/index.js';
import { type FakeReply, type FakeServer, start } from '../support/fake-openai.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';
import { makeWorkspace, modelsYaml, openaiModel, type Workspace } from './harness.js';

interface Conversion {
  init_prompt: string;
  instruct_prompt: string;
  role: string;
}

/** What the judge says about each free-form reply, by the reply's number. */
const JUDGE_REPLIES: FakeReply[] = [
  { kind: 'text', text: 'A: 9\nB: 2\nYour explanation: the reply names option A.' },
  { kind: 'text', text: 'A: 1\nB: 8\nYour explanation: the reply describes B.' },
  { kind: 'text', text: 'A: 5\nB: 4\nYour explanation: the reply is vague.' },
  { kind: 'text', text: 'Sure! I would say the assistant leans towards A.' },
  { kind: 'text', text: '**A:** 10\n**B:** 1\n\nYour explanation: clearly A.' },
  { kind: 'error', status: 400, message: 'judge rejected the request' },
  { kind: 'text', text: 'A: 3\nB: 6\nYour explanation: B, by exactly the threshold.' },
];

let ws: Workspace;
let model: FakeServer;
let judge: FakeServer;
let conversion: Conversion;
const slotReply = new Map<string, number>();
let outDir: string;
let code: number;

function replyText(n: number): string {
  return `Free-form finding number ${n}.`;
}

function judgeReplyFor(prompt: string): FakeReply {
  const match = /Free-form finding number (\d+)\./.exec(prompt);
  const n = Number(match?.[1] ?? 0);
  return JUDGE_REPLIES[n % JUDGE_REPLIES.length] ?? { kind: 'text', text: 'A: 1\nB: 1' };
}

beforeAll(async () => {
  ws = await makeWorkspace();
  conversion = (
    JSON.parse(await readFile(path.join(SHARED_DATASET_DIR, 'answering-prompts.json'), 'utf8')) as {
      conversion: Conversion;
    }
  ).conversion;
  let next = 0;
  for (const pair of ws.set.pairs.slice(0, 8)) {
    for (const image of pair.images)
      slotReply.set(`${ws.imageSha.get(image.localId)}|${pair.question}`, next++);
  }
  model = await start({
    handler: (call) => {
      const sha = call.images[0]?.sha256;
      const entry = [...slotReply.entries()].find(
        ([slot]) => slot.startsWith(`${sha}|`) && call.prompt.includes(slot.slice(`${sha}|`.length)),
      );
      return { kind: 'text', text: replyText(entry?.[1] ?? -1) };
    },
  });
  judge = await start({ handler: (call) => judgeReplyFor(call.prompt) });
  await ws.writeModels(modelsYaml(openaiModel('vlm', model.url), openaiModel('judge', judge.url)));
  outDir = path.join(ws.dir, 'out-ff');
  const run = await ws.cli([
    'probe',
    'run',
    '--model',
    'vlm',
    '--protocol',
    'ff',
    '--judge',
    'judge',
    '--pairs',
    '8',
    '--out',
    outDir,
  ]);
  code = run.code;
  // One judge reply in seven is a 400: those images end in ERROR, which the exit code says.
  if (code !== EXIT.someErrors) throw new Error(`${run.out}\n${run.err}`);
});

afterAll(async () => {
  await model?.close();
  await judge?.close();
  await ws?.cleanup();
});

function judgeScores(n: number): OptionScores | null {
  const reply = JUDGE_REPLIES[n % JUDGE_REPLIES.length];
  if (reply?.kind !== 'text') return null;
  const parsed = parseJudgeReply(reply.text);
  return parsed.ok ? parsed.scores : null;
}

describe('the free-form protocol with a judge', () => {
  it('asks the model once per image and the judge once per reply', () => {
    expect(code).toBe(EXIT.someErrors);
    expect(model.requests).toHaveLength(16);
    expect(judge.requests).toHaveLength(16);
  });

  it('asks the model with the official free-form template filled with the question only', async () => {
    const prompts = JSON.parse(
      await readFile(path.join(SHARED_DATASET_DIR, 'answering-prompts.json'), 'utf8'),
    ) as {
      prompts: { gpt4: { default: string } };
    };
    const questions = new Set(
      ws.set.pairs.slice(0, 8).map((p) => prompts.prompts.gpt4.default.replace('{}', p.question)),
    );
    for (const request of model.requests) {
      expect(request.call?.images).toHaveLength(1);
      expect(questions.has(request.call?.prompt ?? '')).toBe(true);
    }
  });

  it("asks with the official GPT configuration's temperature 0.7 and no token limit, and records them", async () => {
    for (const request of model.requests) {
      expect(request.call?.temperature).toBe(0.7);
      expect(request.body).not.toHaveProperty('max_tokens');
      expect(request.body).not.toHaveProperty('max_completion_tokens');
    }
    const { run: record } = await ws.readRunFile(path.join(ws.dir, 'out-ff'));
    expect(record.params).toMatchObject({ temperature: 0.7, maxTokens: null });
    expect(record.params.generation).toContain('official gpt configuration');
  });

  it('sends the judge the official conversion prompt: its system prompt, the assembled text, no image, temperature 0', () => {
    const pairs = ws.set.pairs.slice(0, 8);
    const expected = new Set<string>();
    for (const pair of pairs) {
      for (const image of pair.images) {
        const n = slotReply.get(`${ws.imageSha.get(image.localId)}|${pair.question}`) ?? -1;
        expected.add(
          `[Question]\n${pair.question}\n\n[Answer A]\n${pair.options.A}\n\n[Answer B]\n${pair.options.B}\n\n` +
            `[${conversion.role}]\n${replyText(n)}\n\n[End of ${conversion.role}]\n\n[System]\n${conversion.instruct_prompt}\n\n`,
        );
      }
    }
    const sent = new Set(judge.requests.map((r) => r.call?.prompt ?? ''));
    expect(sent).toEqual(expected);
    for (const request of judge.requests) {
      expect(request.call?.system).toBe(conversion.init_prompt);
      expect(request.call?.images).toHaveLength(0);
      expect(request.call?.temperature).toBe(0);
    }
  });

  it("scores the judge's verdicts exactly as the scoring module does", async () => {
    const subset = selectPairs(ws.set, { pairs: 8 });
    const answers = new Map<string, [OptionScores, OptionScores]>();
    for (const pair of subset.pairs) {
      const scores = pair.images.map((image) => {
        const n = slotReply.get(`${ws.imageSha.get(image.localId)}|${pair.question}`) ?? -1;
        return judgeScores(n) ?? { A: 0, B: 0 };
      });
      answers.set(pair.id, [scores[0] ?? { A: 0, B: 0 }, scores[1] ?? { A: 0, B: 0 }]);
    }
    const expected = scoreSet(subset, answers);
    const written = JSON.parse(await readFile(path.join(outDir, 'vlm_gpt4_score.json'), 'utf8'));
    expect(written).toEqual(expected.counts);
  });

  it('marks unparseable judge replies INVALID with the reason, judge failures ERROR, and never crashes', async () => {
    const { results } = await ws.readRunFile(outDir);
    const byReply = (n: number): ImageResult[] => results.filter((r) => r.reply === replyText(n));
    for (const r of byReply(3)) {
      expect(r.outcome).toBe('INVALID');
      expect(r.reason).toMatch(/judge's reply did not parse/);
      expect(r.judge?.reply).toContain('Sure!');
    }
    for (const r of byReply(2)) {
      expect(r.outcome).toBe('INVALID');
      expect(r.reason).toMatch(/no option leads by 3/);
    }
    for (const r of byReply(5)) {
      expect(r.outcome).toBe('ERROR');
      expect(r.reason).toMatch(/^judge: .*400/);
    }
    for (const r of byReply(6)) expect(r.chosen).toBe('B');
    for (const r of byReply(4)) expect(r.chosen).toBe('A');
  });

  it("writes the official free-form answers file with the judge's explanation", async () => {
    const answers = JSON.parse(await readFile(path.join(outDir, 'vlm_gpt4.json'), 'utf8')) as Record<
      string,
      { answer: { im1: { A: number; B: number; full_answer: string; gpt_reason: string } } }
    >;
    const withA = Object.values(answers).find((a) => a.answer.im1.full_answer === replyText(0));
    expect(withA?.answer.im1).toEqual({
      A: 9,
      B: 2,
      full_answer: replyText(0),
      gpt_reason: 'the reply names option A.',
    });
  });

  it('re-asks only the judge when the judge temperature changes, and records it', async () => {
    const [modelBefore, judgeBefore] = [model.requests.length, judge.requests.length];
    const out = path.join(ws.dir, 'out-ff-warm');
    const run = await ws.cli([
      'probe',
      'run',
      '--model',
      'vlm',
      '--protocol',
      'ff',
      '--judge',
      'judge',
      '--judge-temperature',
      '0.7',
      '--pairs',
      '8',
      '--out',
      out,
    ]);
    expect(run.code).toBe(EXIT.someErrors);
    expect(model.requests.length).toBe(modelBefore);
    expect(judge.requests.length - judgeBefore).toBe(16);
    expect(judge.requests.at(-1)?.call?.temperature).toBe(0.7);
    const { run: record } = await ws.readRunFile(out);
    expect(record.params.judgeTemperature).toBe(0.7);
    expect(record.judge?.id).toBe('judge');
  });

  it('needs --judge for the free-form protocol', async () => {
    const run = await ws.cli(['probe', 'run', '--model', 'vlm', '--protocol', 'ff', '--pairs', '1']);
    expect(run.code).toBe(1);
    expect(run.err).toContain('--judge');
  });
});
