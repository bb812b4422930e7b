import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  Legend,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Title,
  Tooltip,
} from 'chart.js';
import type { ComparisonView, SeriesView } from '../protocol.js';
import { h, percent } from './common.js';

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Legend,
  Title,
  Tooltip,
);

/** Colour-blind-safe (Okabe–Ito) colours, bright enough on a dark projector background. */
const COLOURS = ['#56B4E9', '#E69F00', '#009E73', '#F0E442', '#CC79A7', '#D55E00', '#0072B2'];

/** Rows with answers, in the set's order, `All` last. */
function shownCategories(view: ComparisonView): string[] {
  return view.categories.filter((c) => c === 'All' || view.series.some((s) => (rowOf(s, c)?.n ?? 0) > 0));
}

function rowOf(series: SeriesView, category: string) {
  return series.rows.find((r) => r.category === category);
}

const label = (s: SeriesView) => (s.kind === 'people' ? 'People' : s.who);

/**
 * Set accuracy per category, people against each model, with the chance line (25%): a Chart.js bar chart,
 * and the same numbers as a table for screen readers and for reading exact values.
 */
export function comparisonChart(view: ComparisonView, title: string): HTMLElement {
  const categories = shownCategories(view);
  const canvas = h('canvas', {
    role: 'img',
    'aria-label': `${title}: set accuracy per category for ${view.series.map(label).join(', ')}, with the chance line at ${view.chance.setAccuracy}%. The table below has the numbers.`,
  });
  const figure = h('figure', { class: 'chart' }, h('div', { class: 'chart-box' }, canvas));
  const datasets = [
    ...view.series.map((s, i) => ({
      type: 'bar' as const,
      label: label(s),
      data: categories.map((c) => {
        const row = rowOf(s, c);
        return row && row.n > 0 ? row.setAccuracy : null;
      }),
      backgroundColor: COLOURS[i % COLOURS.length],
      borderColor: COLOURS[i % COLOURS.length],
    })),
    {
      type: 'line' as const,
      label: `Chance (${view.chance.setAccuracy}%)`,
      data: categories.map(() => view.chance.setAccuracy),
      borderColor: '#ffffff',
      borderDash: [8, 6],
      borderWidth: 2,
      pointRadius: 0,
    },
  ];
  // Chart.js needs the canvas in the document to size it; wait a frame after the caller inserts it.
  requestAnimationFrame(() => {
    new Chart(canvas, {
      data: { labels: categories, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        color: '#f2f2f2',
        scales: {
          x: { ticks: { color: '#f2f2f2', font: { size: 20 } }, grid: { color: '#333' } },
          y: {
            min: 0,
            max: 100,
            title: { display: true, text: 'Set accuracy (%)', color: '#f2f2f2', font: { size: 20 } },
            ticks: { color: '#f2f2f2', font: { size: 18 } },
            grid: { color: '#333' },
          },
        },
        plugins: {
          title: { display: true, text: title, color: '#f2f2f2', font: { size: 26 } },
          legend: { labels: { color: '#f2f2f2', font: { size: 20 } } },
        },
      },
    });
  });
  figure.append(h('figcaption', {}, comparisonTable(view, categories)));
  return figure;
}

/** The numbers: per category and who, set accuracy with its 95% interval, individual accuracy, confusion, n. */
export function comparisonTable(view: ComparisonView, categories = shownCategories(view)): HTMLElement {
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
  return h(
    'div',
    { class: 'table-wrap' },
    h(
      'table',
      { class: 'numbers' },
      h(
        'caption',
        {},
        `Chance: ${view.chance.setAccuracy}% set accuracy, ${view.chance.individualAccuracy}% individual accuracy, ${view.chance.confusion}% confusion.`,
      ),
      h('thead', {}, head),
      body,
    ),
  );
}
