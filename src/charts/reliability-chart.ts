import { renderAsync } from '@resvg/resvg-js';
import { BarChart, type BarSeriesOption, LineChart, type LineSeriesOption } from 'echarts/charts';
import {
  GraphicComponent,
  type GraphicComponentOption,
  GridComponent,
  type GridComponentOption,
  LegendComponent,
  type LegendComponentOption,
  TitleComponent,
  type TitleComponentOption,
} from 'echarts/components';
import { type ComposeOption, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { Calibration } from '../scoring/calibration.js';
import { CHART_HEIGHT, CHART_WIDTH, type RenderedChart } from './category-chart.js';
import { CHART_FONT_FAMILY, RESVG_FONT_OPTIONS, xmlSafe } from './fonts.js';
import { DISCORD_THEME } from './theme.js';

use([BarChart, LineChart, GraphicComponent, GridComponent, LegendComponent, TitleComponent, SVGRenderer]);

type ReliabilityOption = ComposeOption<
  | BarSeriesOption
  | LineSeriesOption
  | GraphicComponentOption
  | GridComponentOption
  | LegendComponentOption
  | TitleComponentOption
>;

export interface ReliabilityChartInput {
  /** Usually the model id and the mode (`gpt-4o · greedy`). */
  title: string;
  calibration: Calibration;
}

const pct = (x: number) => Math.round(x * 1000) / 10;

/** The bins a confidence in a chosen option can fall in (≥ 50% for two options) plus any lower ones used. */
function shownBins(calibration: Calibration) {
  const firstUsed = calibration.bins.findIndex((b) => b.count > 0);
  const from = Math.min(
    Math.floor(calibration.bins.length / 2),
    firstUsed < 0 ? Number.MAX_SAFE_INTEGER : firstUsed,
  );
  return calibration.bins.slice(from);
}

function option(input: ReliabilityChartInput): ReliabilityOption {
  const theme = DISCORD_THEME;
  const { calibration } = input;
  const bins = shownBins(calibration);
  const labels = bins.map((b) => `${pct(b.low)}–${pct(b.high)}%\nn=${b.count}`);
  const modelColour = theme.models[0];
  return {
    animation: false,
    backgroundColor: 'transparent',
    textStyle: { fontFamily: CHART_FONT_FAMILY, color: theme.text },
    graphic: [
      {
        type: 'rect',
        silent: true,
        z: -100,
        shape: { x: 1, y: 1, width: CHART_WIDTH - 2, height: CHART_HEIGHT - 2, r: 12 },
        style: { fill: theme.card, stroke: theme.cardBorder, lineWidth: 2 },
      },
    ],
    title: {
      text: xmlSafe(input.title),
      subtext:
        `Reliability: accuracy per confidence bin · ECE ${pct(calibration.ece)}% over ${calibration.n} images` +
        ` · mean confidence ${pct(calibration.meanConfidence)}%, accuracy ${pct(calibration.accuracy)}%`,
      left: 32,
      top: 20,
      itemGap: 10,
      textStyle: {
        fontSize: 26,
        fontWeight: 'bold',
        color: theme.text,
        width: CHART_WIDTH - 64,
        overflow: 'truncate',
      },
      subtextStyle: { fontSize: 16, color: theme.mutedText },
    },
    legend: {
      top: 96,
      left: 32,
      textStyle: { fontSize: 16, color: theme.text },
      data: ['Accuracy', 'Mean confidence (perfect calibration)'],
    },
    grid: { left: 88, right: 40, top: 140, bottom: 80 },
    xAxis: {
      type: 'category',
      name: 'Confidence in the chosen option',
      nameLocation: 'middle',
      nameGap: 58,
      nameTextStyle: { fontSize: 16, color: theme.text },
      data: labels,
      axisLine: { lineStyle: { color: theme.axisLine } },
      axisLabel: { fontSize: 14, lineHeight: 18, margin: 10, color: theme.mutedText },
    },
    yAxis: {
      type: 'value',
      min: 0,
      max: 100,
      interval: 25,
      name: 'Accuracy %',
      nameLocation: 'middle',
      nameGap: 52,
      nameTextStyle: { fontSize: 16, color: theme.text },
      axisLabel: { fontSize: 14, color: theme.mutedText, formatter: '{value}%' },
      splitLine: { lineStyle: { color: theme.gridLine } },
    },
    series: [
      {
        type: 'bar',
        name: 'Accuracy',
        barWidth: '60%',
        barMinHeight: 3,
        itemStyle: { color: modelColour, borderRadius: [3, 3, 0, 0] },
        label: { show: true, position: 'top', fontSize: 14, color: theme.text, formatter: '{c}%' },
        data: bins.map((b) => (b.accuracy === null ? '-' : pct(b.accuracy))),
      },
      {
        type: 'line',
        name: 'Mean confidence (perfect calibration)',
        symbol: 'circle',
        symbolSize: 9,
        connectNulls: true,
        lineStyle: { color: theme.chance, width: 2, type: [8, 6] },
        itemStyle: { color: theme.chance },
        data: bins.map((b) => (b.meanConfidence === null ? '-' : pct(b.meanConfidence))),
      },
    ],
  };
}

/** A text version of the chart for screen readers and Discord's alt text (at most 1024 characters). */
function altText(input: ReliabilityChartInput): string {
  const { calibration } = input;
  const bins = calibration.bins
    .filter((b) => b.count > 0)
    .map(
      (b) =>
        `${pct(b.low)}-${pct(b.high)}%: ${b.count} images, accuracy ${pct(b.accuracy ?? 0)}%, mean confidence ${pct(b.meanConfidence ?? 0)}%`,
    );
  return `${input.title}. ECE ${pct(calibration.ece)}%. ${bins.join('; ')}.`.slice(0, 1024);
}

/**
 * The reliability chart of a run: per confidence bin, how often the model was right (bars) against how
 * sure it was (the dashed line, where a perfectly calibrated model's bars would end). Same theme, size,
 * font and ECharts → SVG → resvg pipeline as the category chart.
 */
export async function renderReliabilityChart(input: ReliabilityChartInput): Promise<RenderedChart> {
  const chart = init(null, null, { renderer: 'svg', ssr: true, width: CHART_WIDTH, height: CHART_HEIGHT });
  let svg: string;
  try {
    chart.setOption(option(input));
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  const image = await renderAsync(svg, { font: RESVG_FONT_OPTIONS, fitTo: { mode: 'original' } });
  return { png: image.asPng(), width: image.width, height: image.height, alt: altText(input) };
}
