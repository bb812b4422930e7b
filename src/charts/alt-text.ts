import { type CategoryChartInput, type CategoryValue, hasData } from './chart-input.js';

/** Discord's limit on an attachment's description (its alt text). */
export const ALT_TEXT_LIMIT = 1024;

const pct = (value: number) => `${Math.round(value)}%`;

function describeValue(value: CategoryValue | undefined, withInterval: boolean): string {
  if (!hasData(value)) return 'no answers';
  const interval =
    withInterval && value.low !== null && value.high !== null
      ? ` (95% CI ${Math.round(value.low)}–${pct(value.high)})`
      : '';
  return `${pct(value.setAcc)}${interval}, n=${value.n}`;
}

function describe(input: CategoryChartInput, chance: number, withInterval: boolean): string {
  const lines = input.series.map((series) => {
    const byCategory = new Map(series.values.map((v) => [v.category, v]));
    const cells = input.categories.map((c) => `${c} ${describeValue(byCategory.get(c), withInterval)}`);
    return `${series.name}: ${cells.join('; ')}.`;
  });
  return [`${input.title}. Set accuracy per category; chance is ${pct(chance)}.`, ...lines].join(' ');
}

/**
 * What the chart shows, for screen readers and for anyone whose client does not load images: every bar
 * as a number. Intervals are dropped first and the text cut last, so it fits Discord's description limit.
 */
export function chartAltText(input: CategoryChartInput, chance: number, empty: boolean): string {
  if (empty) return `${input.title}: no answers yet, so there is nothing to compare.`;
  const full = describe(input, chance, true);
  if (full.length <= ALT_TEXT_LIMIT) return full;
  const compact = describe(input, chance, false);
  if (compact.length <= ALT_TEXT_LIMIT) return compact;
  return `${compact.slice(0, ALT_TEXT_LIMIT - 1).trimEnd()}…`;
}
