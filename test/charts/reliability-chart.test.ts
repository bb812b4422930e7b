import { describe, expect, it } from 'vitest';
import { CHART_HEIGHT, CHART_WIDTH } from '../../src/charts/index.js';
import { renderReliabilityChart } from '../../src/charts/reliability-chart.js';
import { calibrate } from '../../src/scoring/calibration.js';

describe('the reliability chart', () => {
  it('renders a PNG of the shared chart size whose alt text gives the ECE and every bin', async () => {
    const calibration = calibrate([
      { confidence: 0.95, correct: true },
      { confidence: 0.95, correct: false },
      { confidence: 0.55, correct: true },
    ]);
    if (!calibration) throw new Error('no calibration');
    const chart = await renderReliabilityChart({ title: 'model · greedy', calibration });
    expect(chart.png.subarray(1, 4).toString()).toBe('PNG');
    expect([chart.width, chart.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    // Bin 50–60%: 0.55 vs 100% (weight 1/3); bin 90–100%: 0.95 vs 50% (weight 2/3).
    expect(calibration.ece).toBeCloseTo((1 / 3) * 0.45 + (2 / 3) * 0.45, 12);
    expect(chart.alt).toContain('ECE 45%');
    expect(chart.alt).toContain('90-100%: 2 images, accuracy 50%, mean confidence 95%');
  });
});
