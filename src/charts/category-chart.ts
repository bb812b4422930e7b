import { renderAsync } from '@resvg/resvg-js';
import { BarChart, type BarSeriesOption, CustomChart, type CustomSeriesOption } from 'echarts/charts';
import {
  GraphicComponent,
  type GraphicComponentOption,
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  MarkLineComponent,
  type MarkLineComponentOption,
  TitleComponent,
  type TitleComponentOption,
} from 'echarts/components';
import { type ComposeOption, init, setPlatformAPI, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { z } from 'zod';
import { chartAltText } from './alt-text.js';
import {
  type CategoryChartInput,
  type CategoryValue,
  type ChartSeries,
  categoryChartInputSchema,
  hasData,
} from './chart-input.js';
import { CHART_FONT_FAMILY, measureTextWidth, RESVG_FONT_OPTIONS, xmlSafe } from './fonts.js';
import { type ChartTheme, DISCORD_THEME } from './theme.js';

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

type ChartOption = ComposeOption<
  | BarSeriesOption
  | CustomSeriesOption
  | GraphicComponentOption
  | GridComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
  | TitleComponentOption
>;

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
export const DEFAULT_CHANCE = 25;

const PAD = 28;
const CARD_RADIUS = 16;
const TITLE_SIZE = 28;
const SUBTITLE_SIZE = 16;
const LEGEND_TOP = 100;
const LEGEND_ROW = 28;
const LEGEND_ITEM = { width: 20, height: 14, gap: 24, textGap: 6 } as const;
const LEGEND_SIZE = 16;
const LABEL_SIZE = 15;
const LABEL_LINE = 19;
const MAX_LABEL_LINES = 3;
const NOTE_SIZE = 12;
const GRID_LEFT = 100;
const GRID_RIGHT = 78;
/** Shared by the bar series and the error bars' layout, so each error bar sits on its own bar. */
const BAR_LAYOUT = { barCategoryGap: '22%', barGap: '14%', barMaxWidth: 56 } as const;

const font = (size: number, bold = false) => `${bold ? 'bold ' : ''}${size}px ${CHART_FONT_FAMILY}`;

/**
 * Splits a category name into lines no wider than `width`, breaking between words, and inside a word
 * (with a hyphen) only when the word alone is too wide, so that "Musculoskeletal" never gets cut off.
 */
export function wrapLabel(text: string, width: number, size = LABEL_SIZE): string[] {
  const fits = (s: string) => measureTextWidth(s, font(size)) <= width;
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const joined = line === '' ? word : `${line} ${word}`;
    if (fits(joined)) {
      line = joined;
      continue;
    }
    if (line !== '') lines.push(line);
    let rest = word;
    while (!fits(rest) && rest.length > 3) {
      const cut = hyphenationPoint(rest, fits);
      lines.push(`${rest.slice(0, cut)}-`);
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line !== '') lines.push(line);
  return lines;
}

/**
 * Where to break a word too wide for one line. Medical terms are mostly compounds of combining forms that
 * end in "o" (musculo-skeletal, gastro-intestinal, cardio-vascular), so a break after an "o" is preferred,
 * then the break nearest the middle, then the longest first part that fits.
 */
function hyphenationPoint(word: string, fits: (s: string) => boolean): number {
  const middle = Math.ceil(word.length / 2);
  const both = (cut: number) =>
    cut >= 2 && cut <= word.length - 2 && fits(`${word.slice(0, cut)}-`) && fits(word.slice(cut));
  const byDistance = Array.from({ length: word.length }, (_, i) => i).sort(
    (a, b) => Math.abs(a - middle) - Math.abs(b - middle) || b - a,
  );
  const afterO = byDistance.find((cut) => word[cut - 1]?.toLowerCase() === 'o' && both(cut));
  if (afterO !== undefined) return afterO;
  const balanced = byDistance.find(both);
  if (balanced !== undefined) return balanced;
  let cut = word.length - 1;
  while (cut > 1 && !fits(`${word.slice(0, cut)}-`)) cut--;
  return cut;
}

/** How many rows ECharts needs for the legend at this width (it wraps a plain legend on its own). */
function legendRows(names: readonly string[], width: number): number {
  let rows = 1;
  let x = 0;
  for (const name of names) {
    const item = LEGEND_ITEM.width + LEGEND_ITEM.textGap + measureTextWidth(name, font(LEGEND_SIZE));
    if (x > 0 && x + item > width) {
      rows++;
      x = 0;
    }
    x += item + LEGEND_ITEM.gap;
  }
  return rows;
}

function seriesColours(series: readonly ChartSeries[], theme: ChartTheme): string[] {
  let people = 0;
  let models = 0;
  return series.map((s) =>
    s.kind === 'people'
      ? (theme.people[people++ % theme.people.length] as string)
      : (theme.models[models++ % theme.models.length] as string),
  );
}

function baseOption(input: CategoryChartInput, theme: ChartTheme, subtitle: string): ChartOption {
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { fontFamily: CHART_FONT_FAMILY, color: theme.text },
    graphic: [
      {
        type: 'rect',
        silent: true,
        z: -100,
        shape: { x: 1, y: 1, width: CHART_WIDTH - 2, height: CHART_HEIGHT - 2, r: CARD_RADIUS },
        style: { fill: theme.card, stroke: theme.cardBorder, lineWidth: 2 },
      },
    ],
    title: {
      text: input.title,
      subtext: subtitle,
      left: PAD,
      top: 20,
      itemGap: 10,
      textStyle: {
        fontSize: TITLE_SIZE,
        fontWeight: 'bold',
        color: theme.text,
        width: CHART_WIDTH - 2 * PAD,
        overflow: 'truncate',
      },
      subtextStyle: { fontSize: SUBTITLE_SIZE, color: theme.mutedText },
    },
  };
}

function emptyOption(input: CategoryChartInput, theme: ChartTheme): ChartOption {
  const option = baseOption(input, theme, 'People against each model, per category');
  const graphic = option.graphic as GraphicComponentOption[];
  const text = (y: number, value: string, size: number, fill: string, bold = false) => ({
    type: 'text' as const,
    silent: true,
    x: CHART_WIDTH / 2,
    y,
    style: {
      text: value,
      fill,
      fontFamily: CHART_FONT_FAMILY,
      fontSize: size,
      fontWeight: bold ? ('bold' as const) : ('normal' as const),
      align: 'center' as const,
      verticalAlign: 'middle' as const,
    },
  });
  graphic.push(
    text(CHART_HEIGHT / 2 - 20, 'No answers yet', 34, theme.text, true),
    text(
      CHART_HEIGHT / 2 + 28,
      'Play a few rounds and this chart will compare people with each model, category by category.',
      17,
      theme.mutedText,
    ),
  );
  return option;
}

export interface ChartLayout {
  /** The plot area in pixels: 0% at `top + height`, 100% at `top`. */
  plot: { left: number; top: number; width: number; height: number };
  /** Each category's name as the lines shown under its group. */
  labels: string[][];
}

/** Where the plot goes for this input: below the title and the legend's rows, above the category names. */
export function chartLayout(input: Pick<CategoryChartInput, 'categories' | 'series'>): ChartLayout {
  const width = CHART_WIDTH - GRID_LEFT - GRID_RIGHT;
  const labelWidth = width / Math.max(1, input.categories.length) - 8;
  const labels = input.categories.map((c) => {
    const lines = wrapLabel(c, labelWidth);
    return lines.length <= MAX_LABEL_LINES
      ? lines
      : [...lines.slice(0, MAX_LABEL_LINES - 1), `${lines[MAX_LABEL_LINES - 1]}…`];
  });
  const labelLines = Math.max(1, ...labels.map((l) => l.length));
  const names = input.series.map((s) => s.name);
  const top = LEGEND_TOP + legendRows(names, CHART_WIDTH - 2 * PAD) * LEGEND_ROW + 16;
  let height = CHART_HEIGHT - top - (26 + labelLines * LABEL_LINE);
  // A plot height divisible by 4 puts the 25% chance line on a whole pixel row: crisp, not smeared.
  height -= height % 4;
  return { plot: { left: GRID_LEFT, top, width, height }, labels };
}

function chartOption(input: CategoryChartInput, theme: ChartTheme, chance: number): ChartOption {
  const { categories, series } = input;
  const colours = seriesColours(series, theme);
  const names = series.map((s) => s.name);
  const values: Array<Array<CategoryValue | undefined>> = series.map((s) => {
    const byCategory = new Map(s.values.map((v) => [v.category, v]));
    return categories.map((c) => byCategory.get(c));
  });

  const layout = chartLayout(input);
  const { plot } = layout;

  const option = baseOption(
    input,
    theme,
    'Set accuracy (both images of a pair right) with 95% intervals · dashed line: chance',
  );
  const bars: BarSeriesOption[] = series.map((s, i) => ({
    type: 'bar',
    name: s.name,
    ...BAR_LAYOUT,
    itemStyle: { color: colours[i], borderRadius: [3, 3, 0, 0] },
    // A 0% bar still shows as a sliver, telling "answered, none right" apart from "no answers".
    barMinHeight: 3,
    data: (values[i] ?? []).map((v) => (hasData(v) ? v.setAcc : '-')),
    z: 2,
  }));
  const first = bars[0];
  if (first !== undefined) {
    first.markLine = {
      silent: true,
      symbol: ['none', 'none'],
      z: 10,
      lineStyle: { color: theme.chance, width: 2, type: [8, 6] },
      label: {
        // Beside the plot, where no bar can hide it.
        formatter: `chance\n${chance}%`,
        position: 'end',
        distance: 8,
        color: theme.text,
        fontSize: 14,
        lineHeight: 17,
      },
      data: [{ yAxis: chance }],
    };
  }
  const whiskers: CustomSeriesOption[] = series.map((_, i) => ({
    type: 'custom',
    id: `interval-${i}`,
    z: 5,
    silent: true,
    clip: false,
    encode: { x: 0, y: 1 },
    data: categories.map((_, k) => [k, 0]),
    renderItem: (params, api) => {
      const k = params.dataIndex;
      const slot = api.barLayout({ count: series.length, ...BAR_LAYOUT })?.[i];
      if (slot === undefined) return null;
      const x = (api.coord([k, 0])[0] ?? 0) + slot.offsetCenter;
      const base = api.coord([k, 0])[1] ?? 0;
      const value = values[i]?.[k];
      if (!hasData(value)) {
        const note = 'n=0';
        const upright = measureTextWidth(note, font(NOTE_SIZE)) + 4 > slot.width;
        return {
          type: 'text',
          x,
          y: base - 4,
          rotation: upright ? Math.PI / 2 : 0,
          style: {
            text: note,
            fill: theme.mutedText,
            fontFamily: CHART_FONT_FAMILY,
            fontSize: NOTE_SIZE,
            align: upright ? 'left' : 'center',
            verticalAlign: upright ? 'middle' : 'bottom',
          },
        };
      }
      if (value.low === null || value.high === null) return null;
      const top = api.coord([k, value.high])[1] ?? 0;
      const bottom = api.coord([k, value.low])[1] ?? 0;
      const cap = Math.max(4, Math.min(slot.width * 0.3, 9));
      const stroke = { stroke: theme.whisker, lineWidth: 2 };
      return {
        type: 'group',
        children: [
          { type: 'line', shape: { x1: x, y1: top, x2: x, y2: bottom }, style: stroke },
          { type: 'line', shape: { x1: x - cap, y1: top, x2: x + cap, y2: top }, style: stroke },
          { type: 'line', shape: { x1: x - cap, y1: bottom, x2: x + cap, y2: bottom }, style: stroke },
        ],
      };
    },
  }));

  return {
    ...option,
    legend: {
      data: names,
      left: PAD,
      top: LEGEND_TOP,
      width: CHART_WIDTH - 2 * PAD,
      icon: 'rect',
      itemWidth: LEGEND_ITEM.width,
      itemHeight: LEGEND_ITEM.height,
      itemGap: LEGEND_ITEM.gap,
      textStyle: { fontSize: LEGEND_SIZE, color: theme.text, padding: [0, 0, 0, LEGEND_ITEM.textGap - 5] },
    },
    grid: {
      left: GRID_LEFT,
      right: GRID_RIGHT,
      top: plot.top,
      bottom: CHART_HEIGHT - plot.top - plot.height,
      outerBoundsMode: 'none',
    },
    xAxis: {
      type: 'category',
      data: layout.labels.map((l) => l.join('\n')),
      axisTick: { show: false },
      axisLine: { lineStyle: { color: theme.axisLine, width: 1 } },
      axisLabel: { interval: 0, fontSize: LABEL_SIZE, lineHeight: LABEL_LINE, color: theme.text, margin: 10 },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: 100,
      interval: 20,
      name: 'Set accuracy',
      nameLocation: 'middle',
      nameGap: 64,
      nameTextStyle: { fontSize: LABEL_SIZE, color: theme.mutedText },
      axisLabel: { formatter: '{value}%', fontSize: LABEL_SIZE, color: theme.mutedText },
      splitLine: { lineStyle: { color: theme.gridLine, width: 1 } },
    },
    series: [...bars, ...whiskers],
  };
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

function isEmpty(input: CategoryChartInput): boolean {
  return !input.series.some((s) => s.values.some(hasData)) || input.categories.length === 0;
}

/**
 * A bar chart of set accuracy per category, people against each model, with 95% error bars and the chance
 * line, as a PNG that reads the same in Discord's dark and light themes. ECharts lays the chart out as SVG
 * (no browser, no canvas); resvg rasterises it with the bundled font. Same input, same bytes.
 */
export async function renderCategoryChart(raw: CategoryChartInput): Promise<RenderedChart> {
  const input = sanitize(validate(raw));
  const theme = DISCORD_THEME;
  const chance = input.chance ?? DEFAULT_CHANCE;
  const empty = isEmpty(input);
  const chart = init(null, null, { renderer: 'svg', ssr: true, width: CHART_WIDTH, height: CHART_HEIGHT });
  let svg: string;
  try {
    chart.setOption(empty ? emptyOption(input, theme) : chartOption(input, theme, chance));
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
