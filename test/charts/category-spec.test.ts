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

  it('lies on its side without the chance label touching the legend or the plot, at every phone width', () => {
    const input = fullInput();
    const names = new Set(input.series.map((s) => s.name));
    // ECharts centres each text on its anchor (dominant-baseline central): the anchor is translate + y.
    const texts = (svg: string) =>
      [
        ...svg.matchAll(
          /<text[^>]*style="font-size:(\d+)px[^"]*"[^>]*?(?: y="(-?[\d.]+)")?[^>]*transform="translate\([\d.]+ ([\d.]+)\)"[^>]*>([^<]*)<\/text>/g,
        ),
      ].map((m) => {
        const centre = Number(m[3]) + Number(m[2] ?? 0);
        const half = Number(m[1]) / 2;
        return { text: m[4] ?? '', top: centre - half, bottom: centre + half };
      });
    for (let width = 300; width <= 440; width += 4) {
      const options = { ...png, width, height: 800, orientation: 'rows' as const };
      const all = texts(svgOf(categoryChartOption(input, options), width, 800));
      const legend = all.filter((t) => names.has(t.text));
      const chance = all.find((t) => t.text === 'chance 25%');
      expect(legend.length, `legend at ${width}`).toBe(names.size);
      expect(chance, `chance label at ${width}`).toBeDefined();
      const legendBottom = Math.max(...legend.map((t) => t.bottom));
      expect(chance?.top ?? 0, `chance label below the legend at ${width}`).toBeGreaterThanOrEqual(
        legendBottom,
      );
      const { plot } = categoryChartLayout(input, options);
      expect(chance?.bottom ?? Infinity, `chance label above the plot at ${width}`).toBeLessThanOrEqual(
        plot.top,
      );
    }
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
