import { describe, expect, it } from 'vitest';
import type { ReplyToken } from '../../src/adapters/logprobs.js';
import {
  letterProbabilities,
  prefixChoice,
  prefixScore,
  replyLetterProbabilities,
} from '../../src/probe/protocols/logprob-choice.js';

const position = (top: Array<[string, number]>): ReplyToken => {
  const [first] = top;
  if (!first) throw new Error('empty');
  return {
    token: first[0],
    logprob: Math.log(first[1]),
    top: top.map(([token, p]) => ({ token, logprob: Math.log(p) })),
  };
};

describe('greedy letter probabilities', () => {
  it('normalises the probabilities of "A" and "B" over the two, as a softmax over their logits does', () => {
    const reading = letterProbabilities(
      position([
        ['B', 0.7],
        ['A', 0.2],
        ['C', 0.05],
      ]),
    );
    expect(reading).toMatchObject({ ok: true, chosen: 'B', note: null });
    if (!reading.ok) return;
    expect(reading.probabilities.A).toBeCloseTo(0.2 / 0.9, 12);
    expect(reading.probabilities.B).toBeCloseTo(0.7 / 0.9, 12);
  });

  it('chooses A on an exact tie, as the official argmax takes the first', () => {
    expect(
      letterProbabilities(
        position([
          ['A', 0.4],
          ['B', 0.4],
        ]),
      ),
    ).toMatchObject({ ok: true, chosen: 'A' });
  });

  it('bounds an unlisted letter by the least probable listed token and says so', () => {
    const reading = letterProbabilities(
      position([
        ['A', 0.6],
        ['Yes', 0.3],
        ['No', 0.05],
      ]),
    );
    expect(reading).toMatchObject({ ok: true, chosen: 'A' });
    if (!reading.ok) return;
    expect(reading.probabilities.A).toBeCloseTo(0.6 / 0.65, 12);
    expect(reading.note).toMatch(/"B" is not among the 3 listed tokens/);
  });

  it('is invalid when neither letter is listed', () => {
    const reading = letterProbabilities(
      position([
        ['I', 0.6],
        ['The', 0.3],
      ]),
    );
    expect(reading).toMatchObject({ ok: false });
    if (reading.ok) return;
    expect(reading.reason).toMatch(/neither "A" nor "B"/);
  });

  it('reads a multiple-choice reply at the token that is the chosen letter', () => {
    const tokens = [
      position([['("', 0.9]]),
      position([
        ['B', 0.8],
        ['A', 0.15],
      ]),
      position([['")', 0.99]]),
    ];
    const reading = replyLetterProbabilities(tokens, 'B');
    expect(reading).toMatchObject({ ok: true, chosen: 'B' });
    if (!reading?.ok) return;
    expect(reading.probabilities.B).toBeCloseTo(0.8 / 0.95, 12);
  });
});

describe('prefix scores', () => {
  it("are the geometric mean of the option's token probabilities at the end of the prompt", () => {
    const prompt = [
      { token: '<|im_start|>', logprob: -5 },
      { token: 'assistant', logprob: -0.1 },
      { token: '\n', logprob: -0.2 },
      { token: 'Brain', logprob: Math.log(0.5) },
      { token: ' tumor', logprob: Math.log(0.2) },
    ];
    const reading = prefixScore(prompt, 'Brain tumor');
    expect(reading).toMatchObject({ ok: true, tokens: 2 });
    if (!reading.ok) return;
    expect(reading.score).toBeCloseTo(Math.sqrt(0.5 * 0.2), 12);
  });

  it('are refused when the prompt does not end with the option', () => {
    const reading = prefixScore([{ token: 'something else', logprob: -1 }], 'Brain tumor');
    expect(reading.ok).toBe(false);
  });

  it('choose A only when its score is higher (a tie goes to B, as in the official code)', () => {
    const choice = prefixChoice({ A: 0.3, B: 0.1 });
    expect(choice.chosen).toBe('A');
    expect(choice.probabilities.A).toBeCloseTo(0.75, 12);
    expect(prefixChoice({ A: 0.2, B: 0.2 }).chosen).toBe('B');
  });
});
