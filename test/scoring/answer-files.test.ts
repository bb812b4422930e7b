import { describe, expect, it } from 'vitest';
import { UserFacingError } from '../../src/errors.js';
import { type AnswerFormat, alignAnswersToSet, parseAnswers } from '../../src/scoring/index.js';
import { makePair, makeSet } from './helpers.js';

const set = makeSet(
  [makePair('10001', [['Cerebral'], ['Cerebral']]), makePair('10002', [['Cerebral'], ['Spinal']])],
  ['Cerebral', 'Spinal'],
);

function errorOf(run: () => unknown): UserFacingError {
  try {
    run();
  } catch (err) {
    if (err instanceof UserFacingError) return err;
    throw err;
  }
  throw new Error('expected a UserFacingError');
}

describe('reading answers files', () => {
  it('detects raw replies and parses them with the official parser', () => {
    const parsed = parseAnswers(
      { '10001': { im1: 'A', im2: 'The answer is B.' }, '10002': { im1: null, im2: 'A/B' } },
      { source: 'a.json' },
    );
    expect(parsed.format).toBe('replies');
    expect(parsed.answers.get('10001')).toEqual([
      { A: 10, B: 0 },
      { A: 0, B: 10 },
    ]);
    expect(parsed.answers.get('10002')).toEqual([
      { A: 0, B: 0 },
      { A: 0, B: 0 },
    ]);
  });

  it('detects judge scores and keeps them as they are', () => {
    const parsed = parseAnswers(
      { '10001': { im1: { A: 8, B: 3 }, im2: { A: 5, B: 6 } } },
      { source: 'j.json' },
    );
    expect(parsed.format).toBe('judge-scores');
    expect(parsed.answers.get('10001')).toEqual([
      { A: 8, B: 3 },
      { A: 5, B: 6 },
    ]);
  });

  it('detects an official harness answers file and takes the option scores it stored', () => {
    const official = {
      '10001': {
        answer: {
          im1: { A: 10, B: 0, full_answer: 'A' },
          im2: { A: 0, B: 0, full_answer: null, gpt_reason: '' },
        },
        score: { set_score: { total: 0 } },
      },
    };
    const parsed = parseAnswers(official, { source: 'gpt_mc.json' });
    expect(parsed.format).toBe('official');
    expect(parsed.answers.get('10001')).toEqual([
      { A: 10, B: 0 },
      { A: 0, B: 0 },
    ]);
  });

  it('names the pair, the field, what was expected and what it got', () => {
    const error = errorOf(() =>
      parseAnswers({ '10001': { im1: { A: 8, B: 3 }, im2: { A: 5, B: 'six' } } }, { source: 'j.json' }),
    );
    expect(error.code).toBe('ANSWERS_INVALID');
    expect(error.message).toContain('j.json is not a valid judge-scores answers file');
    expect(error.message).toContain(
      'pair "10001", field "im2.B": expected a whole number from 0 to 10, got "six"',
    );
  });

  it('reports a missing field as missing', () => {
    const error = errorOf(() => parseAnswers({ '10001': { im1: 'A' } }, { source: 'r.json' }));
    expect(error.message).toContain(
      'pair "10001", field "im2": expected the reply text (a string) or null, got nothing (the field is missing)',
    );
  });

  it('refuses judge scores outside 0 to 10 and fractional ones', () => {
    const error = errorOf(() =>
      parseAnswers({ '10001': { im1: { A: 11, B: 3 }, im2: { A: 2.5, B: 6 } } }, { source: 'j.json' }),
    );
    expect(error.message).toContain('field "im1.A": expected a whole number from 0 to 10, got 11');
    expect(error.message).toContain('field "im2.A": expected a whole number from 0 to 10, got 2.5');
  });

  it('validates against the format it is told, whatever the file looks like', () => {
    const error = errorOf(() =>
      parseAnswers(
        { '10001': { im1: 'A', im2: 'B' } },
        { source: 'r.json', format: 'judge-scores' as AnswerFormat },
      ),
    );
    expect(error.message).toContain(
      'pair "10001", field "im1": expected an object {"A": score, "B": score}, got "A"',
    );
  });

  it('explains a file that resembles no answers format', () => {
    const error = errorOf(() => parseAnswers({ '10001': { first: 'A' } }, { source: 'x.json' }));
    expect(error.message).toMatch(/x\.json is not an answers file: pair "10001" should be/);
    expect(errorOf(() => parseAnswers([1, 2], { source: 'x.json' })).message).toContain('got an array');
    expect(errorOf(() => parseAnswers({}, { source: 'x.json' })).code).toBe('ANSWERS_EMPTY');
  });

  it('lists at most five problems and says how many more there are', () => {
    const raw = Object.fromEntries(
      Array.from({ length: 8 }, (_, i) => [`${10001 + i}`, { im1: 1, im2: null }]),
    );
    const error = errorOf(() => parseAnswers(raw, { source: 'r.json' }));
    expect(error.message.match(/expected the reply text/g)).toHaveLength(5);
    expect(error.message).toContain('… and 3 more problems');
  });
});

describe('matching answers to the set', () => {
  it('rejects pair ids the set does not have, naming them', () => {
    const parsed = parseAnswers(
      { '10001': { im1: 'A', im2: 'B' }, '99999': { im1: 'A', im2: 'B' } },
      { source: 'r.json' },
    );
    const error = errorOf(() => alignAnswersToSet(set, parsed, 'r.json'));
    expect(error.code).toBe('ANSWERS_UNKNOWN_PAIRS');
    expect(error.message).toBe('r.json answers 1 pair id that the hand-made set does not have: 99999.');
  });

  it('scores pairs the file leaves out as unanswered, and lists them', () => {
    const parsed = parseAnswers({ '10002': { im1: 'A', im2: 'B' } }, { source: 'r.json' });
    const aligned = alignAnswersToSet(set, parsed, 'r.json');
    expect(aligned.missing).toEqual(['10001']);
    expect([...aligned.answers.keys()]).toEqual(['10001', '10002']);
    expect(aligned.answers.get('10001')).toEqual([
      { A: 0, B: 0 },
      { A: 0, B: 0 },
    ]);
  });
});
