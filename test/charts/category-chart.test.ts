import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { chartLayout } from '../../src/charts/category-chart.js';
import {
  ALT_TEXT_LIMIT,
  type CategoryChartInput,
  CHART_HEIGHT,
  CHART_WIDTH,
  DISCORD_THEME,
  type RenderedChart,
  renderCategoryChart,
} from '../../src/charts/index.js';
import {
  CATEGORIES,
  countColour,
  decode,
  distinctColours,
  fullInput,
  isColour,
  type Pixels,
  type Rect,
  rgba,
  series,
} from './pixels.js';

const theme = DISCORD_THEME;
const seriesColours = [theme.people[0], theme.models[0], theme.models[1], theme.models[2]];

function plotRect(input: CategoryChartInput): Rect & { height: number; width: number } {
  const { plot } = chartLayout(input);
  return {
    left: plot.left,
    top: plot.top,
    right: plot.left + plot.width,
    bottom: plot.top + plot.height,
    width: plot.width,
    height: plot.height,
  };
}

/** The pixel row where `percent` sits on the y axis. */
function rowOf(input: CategoryChartInput, percent: number): number {
  const plot = plotRect(input);
  return Math.round(plot.bottom - (plot.height * percent) / 100);
}

/** The most near-black pixels on a row within ±1 of `y`, across the plot. */
function chanceRowPixels(px: Pixels, input: CategoryChartInput, y: number): number {
  const plot = plotRect(input);
  const counts = [y - 1, y, y + 1].map((row) =>
    countColour(px, { left: plot.left, right: plot.right, top: row, bottom: row + 1 }, theme.chance, 12),
  );
  return Math.max(...counts);
}

function band(input: CategoryChartInput, index: number): Rect {
  const plot = plotRect(input);
  const width = plot.width / input.categories.length;
  return {
    left: plot.left + index * width,
    right: plot.left + (index + 1) * width,
    top: plot.top,
    bottom: plot.bottom,
  };
}

describe('renderCategoryChart: nine categories and All, people against three models', () => {
  const input = fullInput();
  let chart: RenderedChart;
  let px: Pixels;

  beforeAll(async () => {
    chart = await renderCategoryChart(input);
    px = await decode(chart.png);
  });

  it('is a PNG of the fixed size it reports, well under 1 MB', async () => {
    const meta = await sharp(chart.png).metadata();
    expect(meta.format).toBe('png');
    expect([meta.width, meta.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    expect([chart.width, chart.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
    expect(chart.png.length).toBeLessThan(1024 * 1024);
  });

  it('draws a plot with many colours, not a blank card', () => {
    const plot = plotRect(input);
    expect(distinctColours(px, { ...plot })).toBeGreaterThan(20);
    for (const colour of seriesColours) expect(countColour(px, plot, colour, 4)).toBeGreaterThan(2000);
  });

  it('puts a bar of every series in every category group, none outside the plot', () => {
    input.categories.forEach((_, k) => {
      for (const colour of seriesColours)
        expect(countColour(px, band(input, k), colour, 4)).toBeGreaterThan(50);
    });
    const plot = plotRect(input);
    const margins: Rect[] = [
      { left: 0, right: plot.left, top: plot.top, bottom: plot.bottom },
      { left: plot.right, right: CHART_WIDTH, top: plot.top, bottom: plot.bottom },
    ];
    for (const margin of margins) {
      for (const colour of seriesColours) expect(countColour(px, margin, colour, 4)).toBe(0);
    }
  });

  it('draws the dashed chance line across the plot at 25%', () => {
    const plot = plotRect(input);
    expect(chanceRowPixels(px, input, rowOf(input, 25))).toBeGreaterThan(plot.width * 0.45);
    expect(chanceRowPixels(px, input, rowOf(input, 50))).toBeLessThan(plot.width * 0.05);
  });

  it('writes the category names under the plot in the text colour', () => {
    const plot = plotRect(input);
    const labels = { left: plot.left, right: plot.right, top: plot.bottom + 6, bottom: plot.bottom + 70 };
    expect(countColour(px, labels, theme.text, 40)).toBeGreaterThan(500);
    // Each group has its own name under it.
    input.categories.forEach((_, k) => {
      const b = band(input, k);
      expect(countColour(px, { ...labels, left: b.left, right: b.right }, theme.text, 40)).toBeGreaterThan(
        15,
      );
    });
  });

  it('writes the title and the legend above the plot', () => {
    const plot = plotRect(input);
    expect(
      countColour(px, { left: 0, right: CHART_WIDTH, top: 0, bottom: 60 }, theme.text, 40),
    ).toBeGreaterThan(1000);
    const legend = { left: 0, right: CHART_WIDTH, top: 80, bottom: plot.top - 10 };
    for (const colour of seriesColours) expect(countColour(px, legend, colour, 4)).toBeGreaterThan(100);
  });

  it('gives the same bytes for the same input', async () => {
    const again = await renderCategoryChart(fullInput());
    expect(again.png.equals(chart.png)).toBe(true);
  });

  it('reads the same on Discord dark and light: an opaque card with transparent rounded corners', async () => {
    expect(rgba(px, 0, 0)[3]).toBe(0);
    expect(rgba(px, CHART_WIDTH / 2, CHART_HEIGHT / 2)[3]).toBe(255);
    const on = (background: string) =>
      sharp({ create: { width: CHART_WIDTH, height: CHART_HEIGHT, channels: 4, background } })
        .composite([{ input: chart.png }])
        .raw()
        .toBuffer();
    const [dark, light] = await Promise.all([
      on(theme.discordBackgrounds.dark),
      on(theme.discordBackgrounds.light),
    ]);
    const inside = (buffer: Buffer) => {
      const rows: Buffer[] = [];
      for (let y = 20; y < CHART_HEIGHT - 20; y++)
        rows.push(buffer.subarray((y * CHART_WIDTH + 20) * 4, (y * CHART_WIDTH + CHART_WIDTH - 20) * 4));
      return Buffer.concat(rows);
    };
    expect(inside(dark).equals(inside(light))).toBe(true);
  });

  it('describes every value in alt text that fits a Discord attachment description', () => {
    expect(chart.alt.length).toBeLessThanOrEqual(ALT_TEXT_LIMIT);
    expect(chart.alt).toContain('People vs models');
    expect(chart.alt).toContain('chance is 25%');
    for (const name of ['People', 'gpt-4o', 'claude-sonnet-4-5', 'always-a'])
      expect(chart.alt).toContain(`${name}:`);
    // Four series of ten values with intervals would not fit, so the intervals are left out.
    expect(chart.alt).toContain('People: Cerebral 60%, n=20; Vascular 63%, n=21;');
    expect(chart.alt).toContain('always-a: Cerebral 61%, n=20;');
  });

  it('keeps the intervals in the alt text when they fit', async () => {
    const small = await renderCategoryChart(fullInput({ series: [series('People', 'people', 0)] }));
    expect(small.alt).toContain(
      'People: Cerebral 60% (95% CI 54–68%), n=20; Vascular 63% (95% CI 57–71%), n=21;',
    );
  });
});

describe('renderCategoryChart: details', () => {
  it('moves the chance line to the chance it is given', async () => {
    const input = fullInput({ series: [series('People', 'people', 0)], chance: 50 });
    const px = await decode((await renderCategoryChart(input)).png);
    const plot = plotRect(input);
    expect(chanceRowPixels(px, input, rowOf(input, 50))).toBeGreaterThan(plot.width * 0.45);
    expect(chanceRowPixels(px, input, rowOf(input, 25))).toBeLessThan(plot.width * 0.05);
  });

  it('draws an error bar from the low to the high end of the interval', async () => {
    const input: CategoryChartInput = {
      title: 'One bar',
      categories: ['Cerebral', 'Cardiac'],
      series: [
        {
          name: 'People',
          kind: 'people',
          values: [{ category: 'Cerebral', setAcc: 40, low: 30, high: 70, n: 12 }],
        },
      ],
    };
    const px = await decode((await renderCategoryChart(input)).png);
    const b = band(input, 0);
    const centre = Math.floor((b.left + b.right) / 2);
    const onWhisker = (y: number) =>
      [centre - 1, centre, centre + 1].some((x) => isColour(px, x, y, theme.whisker, 40));
    // Above the bar, the error bar alone: from 70% down to the bar's top at 40%.
    for (let y = rowOf(input, 70) + 3; y < rowOf(input, 40) - 3; y++)
      expect(onWhisker(y), `row ${y}`).toBe(true);
    // Nothing above the interval.
    for (let y = rowOf(input, 95); y < rowOf(input, 72); y++) expect(onWhisker(y), `row ${y}`).toBe(false);
    // Caps: a short horizontal stroke at each end.
    const capRow = (percent: number) =>
      countColour(
        px,
        {
          left: centre - 12,
          right: centre + 13,
          top: rowOf(input, percent) - 1,
          bottom: rowOf(input, percent) + 2,
        },
        theme.whisker,
        40,
      );
    expect(capRow(70)).toBeGreaterThan(8);
    expect(capRow(30)).toBeGreaterThan(8);
  });

  it('shows an answered 0% as a sliver on the axis, unlike a category with no answers', async () => {
    const input: CategoryChartInput = {
      title: 'Nothing right',
      categories: ['Cerebral', 'Cardiac'],
      series: [
        {
          name: 'People',
          kind: 'people',
          values: [{ category: 'Cerebral', setAcc: 0, low: 0, high: 20, n: 10 }],
        },
      ],
    };
    const px = await decode((await renderCategoryChart(input)).png);
    const sliver = { ...band(input, 0), top: rowOf(input, 2) };
    expect(countColour(px, sliver, theme.people[0], 4)).toBeGreaterThan(40);
    expect(countColour(px, band(input, 1), theme.people[0], 4)).toBe(0);
  });

  it('leaves a gap marked n=0 where a series has no answers in a category', async () => {
    const input = fullInput();
    const model = input.series[1];
    if (model === undefined) throw new Error('fixture');
    const pulmonary = CATEGORIES.indexOf('Pulmonary');
    model.values = model.values.map((v) =>
      v.category === 'Pulmonary' ? { category: 'Pulmonary', setAcc: null, low: null, high: null, n: 0 } : v,
    );
    const chart = await renderCategoryChart(input);
    const px = await decode(chart.png);
    const b = band(input, pulmonary);
    expect(countColour(px, b, theme.models[0], 4)).toBe(0);
    expect(countColour(px, b, theme.people[0], 4)).toBeGreaterThan(50);
    const baseline = { ...b, top: b.bottom - 40, bottom: b.bottom - 2 };
    expect(countColour(px, baseline, theme.mutedText, 40)).toBeGreaterThan(10);
    expect(chart.alt).toContain('Pulmonary no answers');
  });

  it('draws a friendly "no answers yet" card when nothing was answered', async () => {
    const inputs: CategoryChartInput[] = [
      { title: 'Server stats', categories: CATEGORIES, series: [] },
      {
        title: 'Server stats',
        categories: CATEGORIES,
        series: [
          {
            name: 'People',
            kind: 'people',
            values: CATEGORIES.map((category) => ({ category, setAcc: null, low: null, high: null, n: 0 })),
          },
        ],
      },
      { title: 'Server stats', categories: [], series: [] },
    ];
    for (const input of inputs) {
      const chart = await renderCategoryChart(input);
      const px = await decode(chart.png);
      expect([chart.width, chart.height]).toEqual([CHART_WIDTH, CHART_HEIGHT]);
      expect(chart.alt).toBe('Server stats: no answers yet, so there is nothing to compare.');
      const middle = { left: 300, right: 900, top: CHART_HEIGHT / 2 - 50, bottom: CHART_HEIGHT / 2 + 50 };
      expect(countColour(px, middle, theme.text, 40)).toBeGreaterThan(500);
      const whole = { left: 0, right: CHART_WIDTH, top: 0, bottom: CHART_HEIGHT };
      expect(countColour(px, whole, theme.chance, 12)).toBe(0);
      expect(countColour(px, whole, theme.people[0], 4)).toBe(0);
    }
  });

  it('fits eight long-named series: the legend wraps and the plot moves down', async () => {
    const names = [
      'People (this server)',
      'openai/gpt-4o-2024-08-06',
      'anthropic/claude-sonnet-4-5-20250929',
      'google/gemini-2.5-pro',
      'meta-llama/llama-3.2-90b-vision-instruct',
      'qwen/qwen2.5-vl-72b-instruct',
      'random',
      'Ünïcödé modèl',
    ];
    const input = fullInput({
      series: names.map((name, i) => series(name, i === 0 ? 'people' : 'model', i)),
    });
    expect(plotRect(input).top).toBeGreaterThan(plotRect(fullInput()).top);
    const chart = await renderCategoryChart(input);
    expect(chart.png.length).toBeLessThan(1024 * 1024);
    expect(chart.alt.length).toBeLessThanOrEqual(ALT_TEXT_LIMIT);
    const px = await decode(chart.png);
    const plot = plotRect(input);
    // The legend's swatches all sit above the plot: none was pushed into it.
    for (const colour of [theme.people[0], ...theme.models.slice(0, 6)]) {
      expect(
        countColour(px, { left: 0, right: CHART_WIDTH, top: 80, bottom: plot.top - 8 }, colour, 4),
      ).toBeGreaterThan(100);
    }
  });

  it('renders names with control characters instead of failing', async () => {
    const input = fullInput({ title: 'Bad\u0000title', series: [series('gpt\u0007-4o\ud800', 'model', 1)] });
    const chart = await renderCategoryChart(input);
    expect(chart.alt).toContain('gpt-4o:');
    expect(chart.alt).toContain('Badtitle');
  });

  it('rejects values for a category the chart does not have, naming it', async () => {
    const input = fullInput();
    input.series[0]?.values.push({ category: 'Renal', setAcc: 50, low: 40, high: 60, n: 3 });
    await expect(renderCategoryChart(input)).rejects.toThrow(/unknown category "Renal"/);
  });

  it('rejects percentages outside 0 to 100', async () => {
    const input = fullInput();
    const first = input.series[0]?.values[0];
    if (first === undefined) throw new Error('fixture');
    first.setAcc = 140;
    await expect(renderCategoryChart(input)).rejects.toThrow(TypeError);
  });
});
