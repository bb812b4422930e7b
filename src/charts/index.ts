export { ALT_TEXT_LIMIT } from './alt-text.js';
export {
  CHART_HEIGHT,
  CHART_WIDTH,
  DEFAULT_CHANCE,
  type RenderedChart,
  renderCategoryChart,
} from './category-chart.js';
export {
  CHART_SUBTITLE,
  type ChartLayout,
  type ChartOption,
  type ChartSpecOptions,
  categoryChartLayout,
  categoryChartOption,
  isEmptyChart,
  type MeasureText,
} from './category-spec.js';
export type { CategoryChartInput, CategoryValue, ChartSeries } from './chart-input.js';
export { chartInputFromStats, chartSeriesFromSummaryTable, type FromStatsOptions } from './from-stats.js';
export { DISCORD_THEME } from './theme.js';
