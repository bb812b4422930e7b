import type { CustomSeriesRenderItemReturn } from 'echarts';
import type { BarSeriesOption, CustomSeriesOption } from 'echarts/charts';
import type {
  GraphicComponentOption,
  GridComponentOption,
  LegendComponentOption,
  MarkLineComponentOption,
  TitleComponentOption,
} from 'echarts/components';
import type { ComposeOption } from 'echarts/core';
import { type CategoryChartInput, type CategoryValue, type ChartSeries, hasData } from './chart-input.js';
import type { ChartTheme } from './theme.js';

/**
 * The category chart as an ECharts option, and nothing else: no renderer, no font files, no Node. The
 * Discord PNG (category-chart.ts, rendered to SVG on the server and rasterised by resvg) and the web
 * page's chart (src/web/client/comparison.ts, drawn by ECharts in the browser) both come from this one
 * function, so the two can never disagree. Each caller brings its own text measurer: resvg with the
 * bundled font on the server, a canvas in the browser.
 */

export type ChartOption = ComposeOption<
  | BarSeriesOption
  | CustomSeriesOption
  | GraphicComponentOption
  | GridComponentOption
  | LegendComponentOption
  | MarkLineComponentOption
  | TitleComponentOption
>;

/** Advance width in pixels of `text` drawn in a CSS font shorthand such as `bold 16px "DejaVu Sans"`. */
export type MeasureText = (text: string, font: string) => number;

export interface ChartSpecOptions {
  width: number;
  height: number;
  measure: MeasureText;
  fontFamily: string;
  theme: ChartTheme;
  /**
   * Multiplies every font size, gap and stroke (1: the 1200 × 675 Discord PNG). The web page picks it from
   * the room it has, so that text stays readable from the back of a lecture hall.
   */
  scale?: number;
  /**
   * `columns`: categories along the bottom, bars upwards (wide screens and the PNG). `rows`: categories
   * down the side, bars to the right (phones: names get a line each and the chart grows downwards).
   */
  orientation?: 'columns' | 'rows';
  /** Chance in percent (default 25). */
  chance?: number;
}

export const DEFAULT_CHANCE = 25;
export const CHART_SUBTITLE =
  'Set accuracy (both images of a pair right) with 95% intervals · dashed line: chance';

/** Sizes at scale 1, in pixels. */
const BASE = {
  pad: 28,
  cardRadius: 16,
  titleSize: 28,
  subtitleSize: 16,
  subtitleLine: 20,
  legendTop: 100,
  legendRow: 28,
  legendItem: { width: 20, height: 14, gap: 24, textGap: 6 },
  legendSize: 16,
  labelSize: 15,
  labelLine: 19,
  noteSize: 12,
  valueSize: 13,
  /** The chance line's label: its text, line height, and distance from the line's end. */
  chanceSize: 14,
  chanceLine: 17,
  chanceDistance: 8,
  gridLeft: 100,
  gridRight: 78,
  barMaxWidth: 56,
} as const;
const MAX_LABEL_LINES = 3;
/** Shared by the bar series and the error bars' layout, so each error bar sits on its own bar. */
const BAR_SPACING = { barCategoryGap: '22%', barGap: '14%' } as const;

interface Metrics {
  pad: number;
  cardRadius: number;
  titleSize: number;
  subtitleSize: number;
  subtitleLine: number;
  legendTop: number;
  legendRow: number;
  legendItem: { width: number; height: number; gap: number; textGap: number };
  legendSize: number;
  labelSize: number;
  labelLine: number;
  noteSize: number;
  valueSize: number;
  chanceSize: number;
  chanceLine: number;
  chanceDistance: number;
  gridLeft: number;
  gridRight: number;
  barMaxWidth: number;
  stroke: number;
}

function metrics(scale: number): Metrics {
  const s = (n: number) => Math.round(n * scale);
  return {
    pad: s(BASE.pad),
    cardRadius: s(BASE.cardRadius),
    titleSize: s(BASE.titleSize),
    subtitleSize: s(BASE.subtitleSize),
    subtitleLine: s(BASE.subtitleLine),
    legendTop: s(BASE.legendTop),
    legendRow: s(BASE.legendRow),
    legendItem: {
      width: s(BASE.legendItem.width),
      height: s(BASE.legendItem.height),
      gap: s(BASE.legendItem.gap),
      textGap: s(BASE.legendItem.textGap),
    },
    legendSize: s(BASE.legendSize),
    labelSize: s(BASE.labelSize),
    labelLine: s(BASE.labelLine),
    noteSize: s(BASE.noteSize),
    valueSize: s(BASE.valueSize),
    chanceSize: s(BASE.chanceSize),
    chanceLine: s(BASE.chanceLine),
    chanceDistance: s(BASE.chanceDistance),
    gridLeft: s(BASE.gridLeft),
    gridRight: s(BASE.gridRight),
    barMaxWidth: s(BASE.barMaxWidth),
    stroke: Math.max(2, s(2)),
  };
}

const fontOf = (family: string, size: number, bold = false) => `${bold ? 'bold ' : ''}${size}px ${family}`;

/**
 * Splits a category name into lines no wider than `width`, breaking between words, and inside a word
 * (with a hyphen) only when the word alone is too wide, so that "Musculoskeletal" never gets cut off.
 */
export function wrapText(text: string, width: number, fits: (line: string) => boolean): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter((w) => w !== '')) {
    const joined = line === '' ? word : `${line} ${word}`;
    if (fits(joined) || width <= 0) {
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

function seriesColours(series: readonly ChartSeries[], theme: ChartTheme): string[] {
  let people = 0;
  let models = 0;
  return series.map((s) =>
    s.kind === 'people'
      ? (theme.people[people++ % theme.people.length] as string)
      : (theme.models[models++ % theme.models.length] as string),
  );
}

export interface ChartLayout {
  /** The plot area in pixels: for columns 0% at `top + height` and 100% at `top`; for rows 0% at `left`. */
  plot: { left: number; top: number; width: number; height: number };
  /** Each category's name as the lines shown beside its group. */
  labels: string[][];
  /** The subtitle as wrapped lines. */
  subtitle: string[];
  /** Whether value labels stand upright (narrow bars) rather than lie flat. */
  uprightValues: boolean;
  /** The title as lines: one (cut short if need be) across, up to two on a phone's rows chart. */
  title: string[];
}

/** Where everything goes for this input and size: title, wrapped legend, the plot, the category names. */
export function categoryChartLayout(
  input: Pick<CategoryChartInput, 'categories' | 'series'> & { title?: string },
  options: ChartSpecOptions,
): ChartLayout {
  const m = metrics(options.scale ?? 1);
  const { width, height, measure, fontFamily } = options;
  const fits =
    (size: number, limit: number, bold = false) =>
    (s: string) =>
      measure(s, fontOf(fontFamily, size, bold)) <= limit;
  const inner = width - 2 * m.pad;
  const subtitle = wrapText(CHART_SUBTITLE, inner, fits(m.subtitleSize, inner));
  const title =
    options.orientation === 'rows' && input.title !== undefined
      ? clampLines(wrapText(input.title, inner, fits(m.titleSize, inner, true)), 2)
      : [input.title ?? ''];
  const legendTop =
    m.legendTop +
    (subtitle.length - 1) * m.subtitleLine +
    (title.length - 1) * Math.round(m.titleSize * 1.25);
  const rows = legendRows(
    input.series.map((s) => s.name),
    width - 2 * m.pad,
    m,
    (s) => measure(s, fontOf(fontFamily, m.legendSize)),
  );
  const plotTop = legendTop + rows * m.legendRow + Math.round(16 * (options.scale ?? 1));
  const groups = Math.max(1, input.categories.length);
  const bars = Math.max(1, input.series.length);
  const valueWidth = measure('100%', fontOf(fontFamily, m.valueSize, true));

  if (options.orientation === 'rows') {
    const labelWidth = Math.round(Math.min(width * 0.3, 220 * (options.scale ?? 1)));
    const labels = input.categories.map((c) =>
      clampLines(wrapText(c, labelWidth, fits(m.labelSize, labelWidth))),
    );
    const left = labelWidth + m.pad;
    const right = Math.round(valueWidth + m.pad + 8);
    const bottom = Math.round(m.labelSize * 2.6 + m.pad);
    // On its side the chance label sits above the plot, below the legend: keep room for it.
    const top = plotTop + m.chanceLine + m.chanceDistance;
    return {
      plot: { left, top, width: width - left - right, height: height - top - bottom },
      labels,
      subtitle,
      uprightValues: false,
      title,
    };
  }

  const plotWidth = width - m.gridLeft - m.gridRight;
  const labelWidth = plotWidth / groups - 8;
  const labels = input.categories.map((c) =>
    clampLines(wrapText(c, labelWidth, fits(m.labelSize, labelWidth))),
  );
  const labelLines = Math.max(1, ...labels.map((l) => l.length));
  // The slot of one bar, as ECharts lays it out (22% of a group between groups, 14% of a bar between bars).
  const groupWidth = (plotWidth / groups) * 0.78;
  const slot = Math.min(m.barMaxWidth, groupWidth / (bars + 0.14 * (bars - 1)));
  const uprightValues = valueWidth + 4 > slot + slot * 0.14;
  // Value labels sit above their bars, and above 100% when a bar is full: keep room for them in the plot.
  const headroom = Math.round((uprightValues ? valueWidth : m.valueSize) + 6);
  const top = plotTop + headroom;
  let plotHeight = height - top - Math.round(26 * (options.scale ?? 1) + labelLines * m.labelLine);
  // A plot height divisible by 4 puts the 25% chance line on a whole pixel row: crisp, not smeared.
  plotHeight -= plotHeight % 4;
  return {
    plot: { left: m.gridLeft, top, width: plotWidth, height: plotHeight },
    labels,
    subtitle,
    uprightValues,
    title,
  };
}

function clampLines(lines: string[], max = MAX_LABEL_LINES): string[] {
  return lines.length <= max ? lines : [...lines.slice(0, max - 1), `${lines[max - 1]}…`];
}

/** How many rows ECharts needs for the legend at this width (it wraps a plain legend on its own). */
function legendRows(
  names: readonly string[],
  width: number,
  m: Metrics,
  measure: (s: string) => number,
): number {
  let rows = 1;
  let x = 0;
  for (const name of names) {
    const item = m.legendItem.width + m.legendItem.textGap + measure(name);
    if (x > 0 && x + item > width) {
      rows++;
      x = 0;
    }
    x += item + m.legendItem.gap;
  }
  return rows;
}

function baseOption(
  input: CategoryChartInput,
  options: ChartSpecOptions,
  m: Metrics,
  subtitle: string,
  title: string = input.title,
): ChartOption {
  const { theme, width, height, fontFamily } = options;
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { fontFamily, color: theme.text },
    graphic: [
      {
        type: 'rect',
        silent: true,
        z: -100,
        shape: { x: 1, y: 1, width: width - 2, height: height - 2, r: m.cardRadius },
        style: { fill: theme.card, stroke: theme.cardBorder, lineWidth: 2 },
      },
    ],
    title: {
      text: title,
      subtext: subtitle,
      left: m.pad,
      top: Math.round(20 * (options.scale ?? 1)),
      itemGap: Math.round(10 * (options.scale ?? 1)),
      textStyle: {
        fontSize: m.titleSize,
        fontWeight: 'bold',
        color: theme.text,
        width: width - 2 * m.pad,
        overflow: 'truncate',
        lineHeight: Math.round(m.titleSize * 1.25),
      },
      subtextStyle: { fontSize: m.subtitleSize, lineHeight: m.subtitleLine, color: theme.mutedText },
    },
  };
}

function emptyOption(input: CategoryChartInput, options: ChartSpecOptions, m: Metrics): ChartOption {
  const { theme, width, height, fontFamily, measure } = options;
  const option = baseOption(input, options, m, 'People against each model, per category');
  const graphic = option.graphic as GraphicComponentOption[];
  const scale = options.scale ?? 1;
  const text = (y: number, value: string, size: number, fill: string, bold = false) => ({
    type: 'text' as const,
    silent: true,
    x: width / 2,
    y,
    style: {
      text: value,
      fill,
      fontFamily,
      fontSize: size,
      fontWeight: bold ? ('bold' as const) : ('normal' as const),
      align: 'center' as const,
      verticalAlign: 'middle' as const,
      lineHeight: Math.round(size * 1.3),
    },
  });
  const hintSize = Math.round(17 * scale);
  const hint = wrapText(
    'Play a few rounds and this chart will compare people with each model, category by category.',
    width - 2 * m.pad,
    (s) => measure(s, fontOf(fontFamily, hintSize)) <= width - 2 * m.pad,
  ).join('\n');
  graphic.push(
    text(height / 2 - 20 * scale, 'No answers yet', Math.round(34 * scale), theme.text, true),
    text(height / 2 + 28 * scale, hint, hintSize, theme.mutedText),
  );
  return option;
}

/** Whether there is anything to draw: an answered value in some category. */
export function isEmptyChart(input: CategoryChartInput): boolean {
  return !input.series.some((s) => s.values.some(hasData)) || input.categories.length === 0;
}

const pct = (value: number) => `${Math.round(value)}%`;

function columnsOption(input: CategoryChartInput, options: ChartSpecOptions, m: Metrics): ChartOption {
  const { categories, series } = input;
  const { theme, width, height, fontFamily, measure } = options;
  const rows = options.orientation === 'rows';
  const chance = options.chance ?? input.chance ?? DEFAULT_CHANCE;
  const colours = seriesColours(series, theme);
  const names = series.map((s) => s.name);
  const values: Array<Array<CategoryValue | undefined>> = series.map((s) => {
    const byCategory = new Map(s.values.map((v) => [v.category, v]));
    return categories.map((c) => byCategory.get(c));
  });
  const layout = categoryChartLayout(input, options);
  const { plot } = layout;
  const barLayout = { ...BAR_SPACING, barMaxWidth: m.barMaxWidth };
  const option = baseOption(input, options, m, layout.subtitle.join('\n'), layout.title.join('\n'));

  const bars: BarSeriesOption[] = series.map((s, i) => ({
    type: 'bar',
    name: s.name,
    ...barLayout,
    itemStyle: { color: colours[i], borderRadius: rows ? [0, 3, 3, 0] : [3, 3, 0, 0] },
    // A 0% bar still shows as a sliver, telling "answered, none right" apart from "no answers".
    barMinHeight: Math.max(3, Math.round(3 * (options.scale ?? 1))),
    data: (values[i] ?? []).map((v) => (hasData(v) ? v.setAcc : '-')),
    z: 2,
  }));
  const first = bars[0];
  if (first !== undefined) {
    first.markLine = {
      silent: true,
      symbol: ['none', 'none'],
      z: 10,
      lineStyle: { color: theme.chance, width: m.stroke, type: [(8 * m.stroke) / 2, (6 * m.stroke) / 2] },
      label: {
        // Beside the plot, where no bar can hide it.
        formatter: rows ? `chance ${chance}%` : `chance\n${chance}%`,
        // On its side the value axis runs down the page and its end is at the bottom, among the axis labels.
        position: rows ? 'start' : 'end',
        distance: m.chanceDistance,
        color: theme.text,
        fontSize: m.chanceSize,
        lineHeight: m.chanceLine,
      },
      data: [rows ? { xAxis: chance } : { yAxis: chance }],
    };
  }
  // Point k of category k at value v, whichever way the chart lies.
  const at = (api: { coord: (p: number[]) => number[] }, k: number, v: number) => {
    const [x, y] = api.coord(rows ? [v, k] : [k, v]);
    return { x: x ?? 0, y: y ?? 0 };
  };
  const whiskers: CustomSeriesOption[] = series.map((_, i) => ({
    type: 'custom',
    id: `interval-${i}`,
    z: 5,
    silent: true,
    clip: false,
    encode: rows ? { x: 1, y: 0 } : { x: 0, y: 1 },
    data: categories.map((_, k) => [k, 0]),
    renderItem: (params, api) => {
      const k = params.dataIndex;
      const slot = api.barLayout({ count: series.length, ...barLayout })?.[i];
      if (slot === undefined) return null;
      const base = at(api, k, 0);
      // The bar's centre line, across the category axis.
      const centre = rows ? base.y + slot.offsetCenter : base.x + slot.offsetCenter;
      const value = values[i]?.[k];
      if (!hasData(value)) {
        const note = 'n=0';
        const upright = !rows && measure(note, fontOf(fontFamily, m.noteSize)) + 4 > slot.width;
        return {
          type: 'text',
          x: rows ? base.x + 4 : centre,
          y: rows ? centre : base.y - 4,
          rotation: upright ? Math.PI / 2 : 0,
          style: {
            text: note,
            fill: theme.mutedText,
            fontFamily,
            fontSize: m.noteSize,
            align: upright || rows ? 'left' : 'center',
            verticalAlign: upright || rows ? 'middle' : 'bottom',
          },
        };
      }
      const children: Array<NonNullable<CustomSeriesRenderItemReturn>> = [];
      const stroke = { stroke: theme.whisker, lineWidth: m.stroke };
      const cap = Math.max(4, Math.min(slot.width * 0.3, 9 * (options.scale ?? 1)));
      let end = at(api, k, value.setAcc);
      if (value.low !== null && value.high !== null) {
        const hi = at(api, k, value.high);
        const lo = at(api, k, value.low);
        end = rows ? (hi.x > end.x ? hi : end) : hi.y < end.y ? hi : end;
        const line = rows
          ? [
              { x1: lo.x, y1: centre, x2: hi.x, y2: centre },
              { x1: hi.x, y1: centre - cap, x2: hi.x, y2: centre + cap },
              { x1: lo.x, y1: centre - cap, x2: lo.x, y2: centre + cap },
            ]
          : [
              { x1: centre, y1: hi.y, x2: centre, y2: lo.y },
              { x1: centre - cap, y1: hi.y, x2: centre + cap, y2: hi.y },
              { x1: centre - cap, y1: lo.y, x2: centre + cap, y2: lo.y },
            ];
        for (const shape of line) children.push({ type: 'line', shape, style: stroke });
      }
      // The value, written beyond the bar and its interval so it never sits on either.
      const minBar = Math.max(3, Math.round(3 * (options.scale ?? 1)));
      const gap = Math.round(5 * (options.scale ?? 1));
      const upright = layout.uprightValues && !rows;
      children.push({
        type: 'text',
        x: rows ? Math.max(end.x, base.x + minBar) + gap : centre,
        y: rows ? centre : Math.min(end.y, base.y - minBar) - gap,
        rotation: upright ? Math.PI / 2 : 0,
        style: {
          text: pct(value.setAcc),
          fill: theme.mutedText,
          fontFamily,
          fontSize: m.valueSize,
          fontWeight: 'bold',
          align: rows || upright ? 'left' : 'center',
          verticalAlign: rows || upright ? 'middle' : 'bottom',
        },
      });
      return { type: 'group', children };
    },
  }));

  const categoryAxis = {
    type: 'category' as const,
    data: layout.labels.map((l) => l.join('\n')),
    axisTick: { show: false },
    axisLine: { lineStyle: { color: theme.axisLine, width: 1 } },
    axisLabel: {
      interval: 0,
      fontSize: m.labelSize,
      lineHeight: m.labelLine,
      color: theme.text,
      margin: Math.round(10 * (options.scale ?? 1)),
    },
    ...(rows ? { inverse: true } : {}),
  };
  const valueAxis = {
    type: 'value' as const,
    min: 0,
    max: 100,
    interval: rows ? 50 : 20,
    name: 'Set accuracy',
    nameLocation: 'middle' as const,
    nameGap: rows ? Math.round(m.labelSize * 1.8) : Math.round(64 * (options.scale ?? 1)),
    nameTextStyle: { fontSize: m.labelSize, color: theme.mutedText },
    axisLabel: { formatter: '{value}%', fontSize: m.labelSize, color: theme.mutedText },
    splitLine: { lineStyle: { color: theme.gridLine, width: 1 } },
  };
  void height;
  return {
    ...option,
    legend: {
      data: names,
      left: m.pad,
      top:
        m.legendTop +
        (layout.subtitle.length - 1) * m.subtitleLine +
        (layout.title.length - 1) * Math.round(m.titleSize * 1.25),
      width: width - 2 * m.pad,
      icon: 'rect',
      itemWidth: m.legendItem.width,
      itemHeight: m.legendItem.height,
      itemGap: m.legendItem.gap,
      textStyle: { fontSize: m.legendSize, color: theme.text, padding: [0, 0, 0, m.legendItem.textGap - 5] },
    },
    grid: {
      left: plot.left,
      right: width - plot.left - plot.width,
      top: plot.top,
      bottom: height - plot.top - plot.height,
      outerBoundsMode: 'none',
    },
    xAxis: rows ? valueAxis : categoryAxis,
    yAxis: rows ? categoryAxis : valueAxis,
    series: [...bars, ...whiskers],
  };
}

/**
 * The ECharts option of a bar chart of set accuracy per category, people against each model: 95% error
 * bars, each value written beside its bar, a 0% bar as a visible sliver, "n=0" where nothing was answered,
 * and the dashed chance line across the whole plot. Input must already be valid (see chart-input.ts).
 */
export function categoryChartOption(input: CategoryChartInput, options: ChartSpecOptions): ChartOption {
  const m = metrics(options.scale ?? 1);
  return isEmptyChart(input) ? emptyOption(input, options, m) : columnsOption(input, options, m);
}
