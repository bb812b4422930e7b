import { renderAsync } from '@resvg/resvg-js';
import { init } from 'echarts/core';
import { describe, expect, it } from 'vitest';
import { CHART_FONT_FAMILY, measureTextWidth, RESVG_FONT_OPTIONS } from '../../src/charts/fonts.js';
import {
  CHART_HEIGHT,
  CHART_WIDTH,
  categoryChartLayout,
  categoryChartOption,
  DISCORD_THEME,
  renderCategoryChart,
} from '../../src/charts/index.js';
import { fullInput } from './pixels.js';

/**
 * The chart specification shared by the Discord PNG and the web page (src/web/client/comparison.ts draws
 * the same option in the browser; test/web/projector.test.ts checks what it shows there).
 */

const png = {
  width: CHART_WIDTH,
  height: CHART_HEIGHT,
  measure: measureTextWidth,
  fontFamily: CHART_FONT_FAMILY,
  theme: DISCORD_THEME,
};

function svgOf(option: ReturnType<typeof categoryChartOption>, width: number, height: number): string {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption(option);
    return chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
}

describe('categoryChartOption', () => {
  it('is exactly what the Discord PNG draws', async () => {
    const input = fullInput();
    const svg = svgOf(categoryChartOption(input, png), CHART_WIDTH, CHART_HEIGHT);
    const fromSpec = (
      await renderAsync(svg, { font: RESVG_FONT_OPTIONS, fitTo: { mode: 'original' } })
    ).asPng();
    expect(fromSpec.equals((await renderCategoryChart(input)).png)).toBe(true);
  });

  it('writes every value beside its bar', () => {
    const input = fullInput();
    const svg = svgOf(categoryChartOption(input, png), CHART_WIDTH, CHART_HEIGHT);
    for (const series of input.series) {
      for (const value of series.values) {
        if (value.setAcc !== null) expect(svg).toContain(`>${Math.round(value.setAcc)}%<`);
      }
    }
  });

  it('scales every font for a projector: nothing under 20 px at scale 1.7', () => {
    const input = fullInput();
    const svg = svgOf(
      categoryChartOption(input, { ...png, width: 1500, height: 800, scale: 1.7 }),
      1500,
      800,
    );
    const sizes = [...svg.matchAll(/font-size:\s*([\d.]+)px|(\d+(?:\.\d+)?)px [^;"]*DejaVu/g)].map((m) =>
      Number(m[1] ?? m[2]),
    );
    expect(sizes.length).toBeGreaterThan(20);
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(20);
  });

  it('lies on its side for a phone: categories down the side, the plot below the legend', () => {
    const input = fullInput();
    const layout = categoryChartLayout(input, { ...png, width: 360, height: 900, orientation: 'rows' });
    expect(layout.plot.left).toBeGreaterThan(60);
    expect(layout.plot.width).toBeGreaterThan(120);
    expect(layout.plot.height).toBeGreaterThan(400);
    for (const lines of layout.labels)
      for (const line of lines)
        expect(measureTextWidth(line, `15px ${CHART_FONT_FAMILY}`)).toBeLessThanOrEqual(layout.plot.left);
  });
});
