import { describe, expect, it } from 'vitest';
import { binOf, calibrate, isConfidentlyConfused } from '../../src/scoring/calibration.js';

describe('calibration of a constructed run', () => {
  // Eight images: four at 0.95 confidence (three right), two at 0.75 (one right), two at 0.55 (both right).
  const points = [
    { confidence: 0.95, correct: true },
    { confidence: 0.95, correct: true },
    { confidence: 0.95, correct: true },
    { confidence: 0.95, correct: false },
    { confidence: 0.7, correct: true },
    { confidence: 0.8, correct: false },
    { confidence: 0.55, correct: true },
    { confidence: 0.55, correct: true },
  ];

  it('puts each confidence in its tenth, the last bin holding 1', () => {
    expect([0.5, 0.55, 0.7, 0.8, 0.95, 1].map((c) => binOf(c))).toEqual([5, 5, 7, 8, 9, 9]);
  });

  it('gives the hand-computed expected calibration error', () => {
    const result = calibrate(points);
    // Bin 5: conf 0.55, acc 1 → gap 0.45, weight 2/8. Bin 7: 0.7 vs 1 → 0.3, 1/8.
    // Bin 8: 0.8 vs 0 → 0.8, 1/8. Bin 9: 0.95 vs 0.75 → 0.2, 4/8.
    const ece = (2 / 8) * 0.45 + (1 / 8) * 0.3 + (1 / 8) * 0.8 + (4 / 8) * 0.2;
    expect(result?.ece).toBeCloseTo(ece, 12);
    expect(ece).toBeCloseTo(0.35, 12);
    expect(result?.mce).toBeCloseTo(0.8, 12);
    expect(result?.accuracy).toBe(6 / 8);
    expect(result?.meanConfidence).toBeCloseTo((4 * 0.95 + 0.7 + 0.8 + 2 * 0.55) / 8, 12);
    expect(result?.bins[9]).toMatchObject({ count: 4, accuracy: 0.75 });
    expect(result?.bins[6]).toMatchObject({ count: 0, accuracy: null });
  });

  it('is zero for a perfectly calibrated model', () => {
    const perfect = [
      { confidence: 1, correct: true },
      { confidence: 0.5, correct: true },
      { confidence: 0.5, correct: false },
    ];
    expect(calibrate(perfect)?.ece).toBe(0);
  });

  it('is null without any confidence', () => {
    expect(calibrate([])).toBeNull();
  });

  it('calls a pair confidently confused only when both images get the same option at ≥ 90%', () => {
    const image = (chosen: 'A' | 'B', confidence: number, correctOption: 'A' | 'B') => ({
      chosen,
      confidence,
      correctOption,
    });
    expect(isConfidentlyConfused([image('A', 0.97, 'A'), image('A', 0.9, 'B')])).toBe(true);
    expect(isConfidentlyConfused([image('A', 0.97, 'A'), image('A', 0.89, 'B')])).toBe(false);
    expect(isConfidentlyConfused([image('A', 0.97, 'A'), image('B', 0.99, 'B')])).toBe(false);
  });
});
