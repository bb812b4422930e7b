import { describe, expect, it } from 'vitest';
import { parseJudgeReply } from '../../src/scoring/index.js';

describe('reading a judge reply', () => {
  it('reads the official format: A, B and the explanation', () => {
    expect(parseJudgeReply('A: 8\nB: 2\nYour explanation: The reply names the first option.')).toEqual({
      ok: true,
      scores: { A: 8, B: 2 },
      explanation: 'The reply names the first option.',
    });
  });

  it('accepts the blank lines the official code removes, CRLF and surrounding whitespace', () => {
    const result = parseJudgeReply('\r\n  A: 3  \r\n\r\nB: 9\r\n\r\nYour explanation: closer to B\r\n');
    expect(result).toEqual({ ok: true, scores: { A: 3, B: 9 }, explanation: 'closer to B' });
  });

  it('accepts markdown bold, list markers, "Answer A" labels and n/10', () => {
    expect(parseJudgeReply('**A:** 7\n**B**: 4/10\n**Your explanation:** partly')).toEqual({
      ok: true,
      scores: { A: 7, B: 4 },
      explanation: 'partly',
    });
    expect(parseJudgeReply('- Answer A: 1\n- Answer B: 10')).toMatchObject({
      ok: true,
      scores: { A: 1, B: 10 },
    });
  });

  it('keeps a multi-line explanation and allows none', () => {
    expect(parseJudgeReply('A: 5\nB: 5\nYour explanation: first\nsecond')).toMatchObject({
      explanation: 'first\nsecond',
    });
    expect(parseJudgeReply('A: 5\nB: 5')).toMatchObject({ ok: true, explanation: '' });
  });

  it('skips a preamble before the score lines', () => {
    expect(parseJudgeReply('Here are my scores.\nA: 9\nB: 1')).toMatchObject({
      ok: true,
      scores: { A: 9, B: 1 },
    });
  });

  it('explains a missing reply', () => {
    expect(parseJudgeReply(null)).toEqual({ ok: false, error: 'the judge gave no reply' });
    expect(parseJudgeReply('  \n')).toEqual({ ok: false, error: 'the judge gave no reply' });
  });

  it('names the score line that is missing', () => {
    expect(parseJudgeReply('A: 9\nYour explanation: B: 1 would be wrong')).toEqual({
      ok: false,
      error: 'the reply has no "B: <score>" line',
    });
  });

  it('refuses scores that are not whole numbers instead of guessing', () => {
    expect(parseJudgeReply('A: 7.5\nB: 2')).toEqual({
      ok: false,
      error: 'the score for A is not a whole number: "7.5"',
    });
    expect(parseJudgeReply('A: high\nB: 2')).toMatchObject({ ok: false });
  });

  it('refuses scores outside 1 to 10', () => {
    expect(parseJudgeReply('A: 0\nB: 11')).toEqual({
      ok: false,
      error: 'the score for A must be a whole number from 1 to 10, got 0',
    });
    expect(parseJudgeReply('A: 5\nB: 11')).toEqual({
      ok: false,
      error: 'the score for B must be a whole number from 1 to 10, got 11',
    });
  });

  it('refuses a reply that scores the same option twice', () => {
    expect(parseJudgeReply('A: 5\nA: 6\nB: 1')).toEqual({
      ok: false,
      error: 'the reply gives a score for A more than once',
    });
  });
});
