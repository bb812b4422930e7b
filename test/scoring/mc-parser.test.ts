import { describe, expect, it } from 'vitest';
import { chooseOption, parseMcReply } from '../../src/scoring/index.js';
import { loadParserCases } from './helpers.js';

const cases = await loadParserCases();

describe('the official multiple-choice reply parser', () => {
  it('has all 24 reference cases to check', () => {
    expect(cases).toHaveLength(24);
  });

  it.each(cases.map((c) => [JSON.stringify(c.raw), c] as const))(
    'parses %s as the official parser does',
    (_, c) => {
      const scores = parseMcReply(c.raw);
      expect(scores).toEqual({ A: c.A, B: c.B });
      expect(chooseOption(scores) ?? '-').toBe(c.chosen);
    },
  );

  it('gives both options 0 for a missing reply', () => {
    expect(parseMcReply(null)).toEqual({ A: 0, B: 0 });
  });

  it('matches whole space-separated tokens only, case-sensitively', () => {
    expect(parseMcReply('The answer is A')).toEqual({ A: 10, B: 0 });
    expect(parseMcReply('The answer is a')).toEqual({ A: 0, B: 0 });
    expect(parseMcReply('Answer:A')).toEqual({ A: 0, B: 0 });
    expect(parseMcReply('(A)')).toEqual({ A: 0, B: 0 });
  });

  it('splits on single spaces, so runs of spaces and tabs do not hide or create tokens', () => {
    expect(parseMcReply('answer:   B')).toEqual({ A: 0, B: 10 });
    expect(parseMcReply('answer:\tB')).toEqual({ A: 0, B: 0 });
  });

  it('turns every newline into a space but leaves carriage returns in the token', () => {
    expect(parseMcReply('x\nB\ny')).toEqual({ A: 0, B: 10 });
    expect(parseMcReply('x\r\nB\r\ny')).toEqual({ A: 0, B: 0 });
  });

  it('accepts each of the official forms of a letter', () => {
    for (const form of ['B', 'B:', '.B', '.B:', 'B.', 'B")', '("B":', '("B")', '("B").']) {
      expect(parseMcReply(`so ${form} it is`), form).toEqual({ A: 0, B: 10 });
    }
  });

  it('scores nothing when the reply names both letters in accepted forms', () => {
    expect(parseMcReply('A. or maybe B.')).toEqual({ A: 0, B: 0 });
  });
});
