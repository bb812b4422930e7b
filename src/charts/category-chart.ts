import { renderAsync } from '@resvg/resvg-js';
import { BarChart, CustomChart } from 'echarts/charts';
import {
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
} from 'echarts/components';
import { init, setPlatformAPI, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { z } from 'zod';
import { chartAltText } from './alt-text.js';
import {
  type ChartLayout,
  type ChartSpecOptions,
  categoryChartLayout,
  categoryChartOption,
  DEFAULT_CHANCE,
  isEmptyChart,
  wrapText,
} from './category-spec.js';
import { type CategoryChartInput, categoryChartInputSchema } from './chart-input.js';
import { CHART_FONT_FAMILY, measureTextWidth, RESVG_FONT_OPTIONS, xmlSafe } from './fonts.js';
import { DISCORD_THEME } from './theme.js';

use([
  BarChart,
  CustomChart,
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
]);
use(SVGRenderer);
// Without a canvas ECharts guesses text widths from Arial-like letters; our font is wider, so let it
// measure with the renderer and font that will draw the text.
setPlatformAPI({ measureText: (text, font) => ({ width: measureTextWidth(text, font) }) });

export type { ChartLayout } from './category-spec.js';
export { DEFAULT_CHANCE } from './category-spec.js';

export interface RenderedChart {
  png: Buffer;
  width: number;
  height: number;
  /** A text version of the chart (every value as a number), at most 1024 characters for Discord. */
  alt: string;
}

/** 16:9 and well inside Discord's preview size, so it is shown whole without scaling artefacts. */
export const CHART_WIDTH = 1200;
export const CHART_HEIGHT = 675;

/** The Discord PNG's drawing: the shared spec at scale 1, measured with the bundled font. */
function pngSpec(input: Pick<CategoryChartInput, 'categories' | 'series'> & { chance?: number }) {
  return {
    width: CHART_WIDTH,
    height: CHART_HEIGHT,
    measure: measureTextWidth,
    fontFamily: CHART_FONT_FAMILY,
    theme: DISCORD_THEME,
    ...(input.chance !== undefined ? { chance: input.chance } : {}),
  } satisfies ChartSpecOptions;
}

/**
 * Splits a category name into lines no wider than `width` at the PNG's label size, breaking between
 * words, and inside a word (with a hyphen) only when the word alone is too wide.
 */
export function wrapLabel(text: string, width: number, size = 15): string[] {
  return wrapText(text, width, (s) => measureTextWidth(s, `${size}px ${CHART_FONT_FAMILY}`) <= width);
}

/** Where the PNG's plot goes for this input: below the title and the legend's rows, above the category names. */
export function chartLayout(input: Pick<CategoryChartInput, 'categories' | 'series'>): ChartLayout {
  return categoryChartLayout(input, pngSpec(input));
}

/** Input comes from code, so a bad shape is a bug in the caller: say exactly where in one readable message. */
function validate(raw: CategoryChartInput): CategoryChartInput {
  const parsed = categoryChartInputSchema.safeParse(raw);
  if (!parsed.success)
    throw new TypeError(`renderCategoryChart: bad input\n${z.prettifyError(parsed.error)}`);
  return parsed.data;
}

/** Names come from people and models: keep a stray control character from failing the whole picture. */
function sanitize(input: CategoryChartInput): CategoryChartInput {
  return {
    ...input,
    title: xmlSafe(input.title),
    categories: input.categories.map(xmlSafe),
    series: input.series.map((s) => ({
      ...s,
      name: xmlSafe(s.name),
      values: s.values.map((v) => ({ ...v, category: xmlSafe(v.category) })),
    })),
  };
}

/**
 * A bar chart of set accuracy per category, people against each model, with 95% error bars and the chance
 * line, as a PNG that reads the same in Discord's dark and light themes. ECharts lays the chart out as SVG
 * (no browser, no canvas); resvg rasterises it with the bundled font. Same input, same bytes.
 */
export async function renderCategoryChart(raw: CategoryChartInput): Promise<RenderedChart> {
  const input = sanitize(validate(raw));
  const chance = input.chance ?? DEFAULT_CHANCE;
  const empty = isEmptyChart(input);
  const chart = init(null, null, { renderer: 'svg', ssr: true, width: CHART_WIDTH, height: CHART_HEIGHT });
  let svg: string;
  try {
    chart.setOption(categoryChartOption(input, pngSpec(input)));
    svg = chart.renderToSVGString();
  } finally {
    // An undisposed instance keeps a timer alive and would hold the process open.
    chart.dispose();
  }
  const image = await renderAsync(svg, { font: RESVG_FONT_OPTIONS, fitTo: { mode: 'original' } });
  return {
    png: image.asPng(),
    width: image.width,
    height: image.height,
    alt: chartAltText(input, chance, empty),
  };
}
