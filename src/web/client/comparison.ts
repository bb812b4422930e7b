import { BarChart, CustomChart } from 'echarts/charts';
import {
  GraphicComponent,
  GridComponent,
  LegendComponent,
  MarkLineComponent,
  TitleComponent,
} from 'echarts/components';
import { type EChartsType, init, use } from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { chartAltText } from '../../charts/alt-text.js';
import { categoryChartOption } from '../../charts/category-spec.js';
import type { CategoryChartInput } from '../../charts/chart-input.js';
import { DISCORD_THEME } from '../../charts/theme.js';
import type { ComparisonView, SeriesView } from '../protocol.js';
import { h, percent, scrollingTable } from './common.js';

/**
 * Set accuracy per category, people against each model: the very chart the Discord bot sends as a PNG
 * (src/charts/category-spec.ts builds the ECharts option for both), drawn here by ECharts as SVG at the
 * size of its box, with fonts scaled for the screen it is on. A narrow screen gets the rows version.
 */

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

/** The chart's own font where it is installed (it is what the PNG uses), else the system's sans-serif. */
const FONT_FAMILY = '"DejaVu Sans", Verdana, sans-serif';
/** Below this width the chart lies on its side: one line per category name, bars to the right. */
export const NARROW_PX = 700;

let measureContext: CanvasRenderingContext2D | null = null;
function measure(text: string, font: string): number {
  measureContext ??= document.createElement('canvas').getContext('2d');
  if (measureContext === null) return text.length * 9;
  measureContext.font = font;
  return measureContext.measureText(text).width;
}

/** Rows with answers, in the set's order, `All` last. */
function shownCategories(view: ComparisonView): string[] {
  return view.categories.filter((c) => c === 'All' || view.series.some((s) => (rowOf(s, c)?.n ?? 0) > 0));
}

function rowOf(series: SeriesView, category: string) {
  return series.rows.find((r) => r.category === category);
}

const label = (s: SeriesView) => (s.kind === 'people' ? 'People' : s.who);
const clamp = (value: number) => Math.min(100, Math.max(0, value));

/** The wire's comparison as the chart's input: the same shape the bot builds with chartInputFromStats. */
export function chartInput(view: ComparisonView, title: string): CategoryChartInput {
  const categories = shownCategories(view);
  return {
    title,
    categories,
    chance: view.chance.setAccuracy,
    series: view.series.map((s) => ({
      name: label(s),
      kind: s.kind,
      values: categories.map((category) => {
        const row = rowOf(s, category);
        return row === undefined || row.n === 0
          ? { category, setAcc: null, low: null, high: null, n: 0 }
          : {
              category,
              setAcc: clamp(row.setAccuracy),
              low: clamp(row.setLow),
              high: clamp(row.setHigh),
              n: row.n,
            };
      }),
    })),
  };
}

/**
 * Font scale for a box: the PNG's sizes on a laptop, up to 1.7 times on a 1080p projector (every label
 * at least 20 px there), and the PNG's sizes on a phone.
 */
function scaleFor(width: number): number {
  if (width < NARROW_PX) return 1;
  return Math.min(1.7, Math.max(1, window.innerHeight / 635, width / 1500));
}

/** Draws (or redraws) the chart into `box` at the box's current size. */
function draw(box: HTMLElement, input: CategoryChartInput, current: EChartsType | null): EChartsType | null {
  const width = Math.floor(box.clientWidth);
  if (width === 0) return current;
  const narrow = width < NARROW_PX;
  const groups = input.categories.length * Math.max(1, input.series.length);
  box.classList.toggle('chart-box-narrow', narrow);
  // A chart that was narrow (a phone turned to landscape) drops the height it set itself before the box
  // is measured, or the wide chart would keep the narrow one's height and spill over what follows.
  if (!narrow) box.style.removeProperty('height');
  // On its side the chart grows with its bars; on a wide screen it fills the height it was given.
  const height = narrow
    ? Math.max(320, 210 + groups * 26 + input.categories.length * 14)
    : Math.max(320, Math.floor(box.clientHeight));
  if (narrow) box.style.height = `${height}px`;
  const chart = current ?? init(box, null, { renderer: 'svg', width, height });
  chart.resize({ width, height });
  chart.setOption(
    categoryChartOption(input, {
      width,
      height,
      measure,
      fontFamily: FONT_FAMILY,
      theme: DISCORD_THEME,
      scale: scaleFor(width),
      orientation: narrow ? 'rows' : 'columns',
    }),
    { notMerge: true },
  );
  return chart;
}

/**
 * The chart, with its every value in its accessible name (the same text the Discord PNG carries as alt
 * text), then the numbers as a table (or, on a phone, a list per category) for exact values.
 */
export function comparisonChart(
  view: ComparisonView,
  title: string,
  options: { numbers?: 'shown' | 'folded' } = {},
): HTMLElement {
  const input = chartInput(view, title);
  const box = h('div', {
    class: 'chart-box',
    role: 'img',
    'aria-label': chartAltText(input, view.chance.setAccuracy, false),
  });
  const figure = h('figure', { class: 'chart' }, box);
  let chart: EChartsType | null = null;
  let lastWidth = -1;
  let lastHeight = -1;
  const observer = new ResizeObserver(() => {
    if (!box.isConnected) {
      observer.disconnect();
      chart?.dispose();
      return;
    }
    const width = box.clientWidth;
    const height = box.clientHeight;
    // A narrow chart sets its own height: only a width change redraws it.
    if (width === lastWidth && (box.classList.contains('chart-box-narrow') || height === lastHeight)) return;
    lastWidth = width;
    chart = draw(box, input, chart);
    lastHeight = box.clientHeight;
  });
  observer.observe(box);
  const numbers = comparisonTable(view);
  figure.append(
    options.numbers === 'folded'
      ? h('details', { class: 'numbers-details' }, h('summary', {}, 'The numbers'), numbers)
      : numbers,
  );
  return figure;
}

function chanceLine(view: ComparisonView): string {
  return `Chance: ${view.chance.setAccuracy}% set accuracy, ${view.chance.individualAccuracy}% individual accuracy, ${view.chance.confusion}% confusion.`;
}

/**
 * The numbers: per category and who, set accuracy with its 95% interval, individual accuracy, confusion, n.
 * A table on a wide screen; on a phone a short list per category, so nothing needs scrolling sideways.
 */
export function comparisonTable(view: ComparisonView, categories = shownCategories(view)): HTMLElement {
  if (window.matchMedia(`(max-width: ${NARROW_PX}px)`).matches) return comparisonList(view, categories);
  const head = h(
    'tr',
    {},
    h('th', { scope: 'col' }, 'Category'),
    h('th', { scope: 'col' }, 'Who'),
    h('th', { scope: 'col' }, 'Set accuracy'),
    h('th', { scope: 'col' }, '95% interval'),
    h('th', { scope: 'col' }, 'Individual accuracy'),
    h('th', { scope: 'col' }, 'Confusion'),
    h('th', { scope: 'col' }, 'Pairs (n)'),
  );
  const body = h('tbody');
  for (const category of categories) {
    view.series.forEach((s, i) => {
      const row = rowOf(s, category);
      const empty = row === undefined || row.n === 0;
      body.append(
        h(
          'tr',
          { class: i === 0 ? 'group-start' : null },
          i === 0 ? h('th', { scope: 'rowgroup', rowspan: view.series.length }, category) : null,
          h('td', {}, label(s)),
          h('td', {}, empty ? '–' : percent(row.setAccuracy, 1)),
          h('td', {}, empty ? '–' : `${row.setLow.toFixed(1)}–${row.setHigh.toFixed(1)}%`),
          h('td', {}, empty ? '–' : percent(row.individualAccuracy, 1)),
          h('td', {}, empty ? '–' : percent(row.confusion, 1)),
          h('td', {}, row?.n ?? 0),
        ),
      );
    });
  }
  return scrollingTable(
    'The numbers, as a table',
    h('table', { class: 'numbers' }, h('caption', {}, chanceLine(view)), h('thead', {}, head), body),
  );
}

/** The phone version of the numbers: a heading per category, a line per person or model. */
function comparisonList(view: ComparisonView, categories: string[]): HTMLElement {
  return h(
    'div',
    { class: 'numbers-list' },
    h('p', { class: 'muted' }, chanceLine(view)),
    ...categories.map((category) =>
      h(
        'section',
        { class: 'numbers-category', 'aria-label': category },
        h('h2', {}, category),
        h(
          'ul',
          {},
          ...view.series.map((s) => {
            const row = rowOf(s, category);
            return h(
              'li',
              {},
              h('strong', {}, label(s)),
              ': ',
              row === undefined || row.n === 0
                ? 'no answers'
                : `set ${percent(row.setAccuracy, 1)} (95% ${row.setLow.toFixed(1)}–${row.setHigh.toFixed(1)}%), individual ${percent(row.individualAccuracy, 1)}, confusion ${percent(row.confusion, 1)}, n=${row.n}`,
            );
          }),
        ),
      ),
    ),
  );
}
