import { describe, expect, it } from 'vitest';
import { pythonRound } from '../../src/scoring/index.js';

// Every expected value below was printed by python3's round(x, digits).
describe('pythonRound', () => {
  it.each([
    [0.125, 2, 0.12],
    [0.375, 2, 0.38],
    [0.625, 2, 0.62],
    [0.875, 2, 0.88],
    [-0.125, 2, -0.12],
    [-0.375, 2, -0.38],
    [0.0625, 3, 0.062],
    [0.1875, 3, 0.188],
    [1.25, 1, 1.2],
    [2.5, 0, 2],
    [3.5, 0, 4],
    [0.5, 0, 0],
    [-2.5, 0, -2],
  ])('breaks the exact tie %d (to %d digits) towards the even neighbour: %d', (x, digits, expected) => {
    expect(pythonRound(x, digits)).toBe(expected);
  });

  it.each([
    [2.675, 2, 2.67],
    [1.005, 2, 1.0],
    [0.285, 2, 0.28],
    [1.115, 2, 1.11],
    [9.995, 2, 9.99],
    [0.045, 2, 0.04],
    [1.35, 1, 1.4],
    [12.345, 2, 12.35],
    [33.335, 2, 33.34],
    [99.995, 2, 100.0],
  ])(
    'rounds %d from its exact binary value, not its decimal spelling (to %d digits): %d',
    (x, digits, expected) => {
      expect(pythonRound(x, digits)).toBe(expected);
    },
  );

  it('rounds the official table values the way the official script prints them', () => {
    expect(pythonRound(66.66666666666666, 2)).toBe(66.67);
    expect(pythonRound(38.095238095238095, 2)).toBe(38.1);
    expect(pythonRound(100, 2)).toBe(100);
  });

  it('keeps the sign of a small negative number that rounds to zero, as Python does (-0.0)', () => {
    expect(Object.is(pythonRound(-0.001, 2), -0)).toBe(true);
    expect(Object.is(pythonRound(0.001, 2), 0)).toBe(true);
  });

  it('returns huge, infinite and NaN inputs unchanged', () => {
    expect(pythonRound(1e22, 2)).toBe(1e22);
    expect(pythonRound(Number.POSITIVE_INFINITY, 2)).toBe(Number.POSITIVE_INFINITY);
    expect(pythonRound(Number.NaN, 2)).toBeNaN();
  });

  it('rejects a negative or fractional number of digits', () => {
    expect(() => pythonRound(1.5, -1)).toThrow(RangeError);
    expect(() => pythonRound(1.5, 1.5)).toThrow(RangeError);
  });
});
