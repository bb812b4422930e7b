import { z } from 'zod';

const percent = z.number().min(0).max(100);

const categoryValueSchema = z.object({
  category: z.string(),
  /** Set accuracy in percent; null when nothing was answered in this category. */
  setAcc: percent.nullable(),
  /** 95% interval bounds in percent; null draws the bar without an error bar. */
  low: percent.nullable(),
  high: percent.nullable(),
  /** Answered pairs behind the value; 0 means no data whatever setAcc says. */
  n: z.number().nonnegative(),
});

const seriesSchema = z.object({
  name: z.string().min(1),
  kind: z.enum(['people', 'model']),
  values: z.array(categoryValueSchema),
});

export const categoryChartInputSchema = z
  .object({
    title: z.string(),
    categories: z.array(z.string().min(1)),
    series: z.array(seriesSchema),
    /** The chance line, in percent (set accuracy of guessing: 25). */
    chance: percent.optional(),
    theme: z.literal('discord').optional(),
  })
  .superRefine((input, ctx) => {
    if (new Set(input.categories).size !== input.categories.length) {
      ctx.addIssue({ code: 'custom', path: ['categories'], message: 'categories must be unique' });
    }
    const names = input.series.map((s) => s.name);
    if (new Set(names).size !== names.length) {
      ctx.addIssue({ code: 'custom', path: ['series'], message: 'series names must be unique' });
    }
    const known = new Set(input.categories);
    input.series.forEach((series, s) => {
      const seen = new Set<string>();
      series.values.forEach((value, v) => {
        const path = ['series', s, 'values', v];
        if (!known.has(value.category)) {
          ctx.addIssue({ code: 'custom', path, message: `unknown category "${value.category}"` });
        }
        if (seen.has(value.category)) {
          ctx.addIssue({ code: 'custom', path, message: `category "${value.category}" given twice` });
        }
        seen.add(value.category);
        if (value.low !== null && value.high !== null && value.low > value.high) {
          ctx.addIssue({ code: 'custom', path, message: 'interval low is above high' });
        }
      });
    });
  });

export type CategoryValue = z.infer<typeof categoryValueSchema>;
export type ChartSeries = z.infer<typeof seriesSchema>;
export type CategoryChartInput = z.infer<typeof categoryChartInputSchema>;

/** A value worth a bar: something was answered. */
export function hasData(value: CategoryValue | undefined): value is CategoryValue & { setAcc: number } {
  return value !== undefined && value.setAcc !== null && value.n > 0;
}
