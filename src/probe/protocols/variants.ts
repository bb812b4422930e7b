import type { ConfusingPair, Option } from '../../dataset/model.js';
import { UserFacingError } from '../../errors.js';

/**
 * Robustness variants beyond the official harness. `official` asks the dataset's question as written;
 * `rephrased` asks the dataset's own rephrasing of it (`AI_question`, `AI_option_A`, `AI_option_B`);
 * `swapped` presents the two options in the other order. Everything a variant changes happens here: what
 * the model is shown, and how its letter maps back to the dataset's options, so that scoring, reports and
 * comparisons always work in the dataset's option order.
 */
export const VARIANTS = ['official', 'rephrased', 'swapped'] as const;
export type Variant = (typeof VARIANTS)[number];

/** The question and options as shown to the model. */
export interface AskedQuestion {
  question: string;
  options: Record<Option, string>;
}

export function askedQuestion(pair: ConfusingPair, variant: Variant): AskedQuestion {
  if (variant === 'swapped') {
    return { question: pair.question, options: { A: pair.options.B, B: pair.options.A } };
  }
  if (variant === 'rephrased') {
    if (!pair.rephrased) {
      throw new UserFacingError(
        'PROBE_VARIANT_UNAVAILABLE',
        `Pair ${pair.id} has no rephrased question (AI_question, AI_option_A, AI_option_B), so --variant rephrased cannot ask it.`,
      );
    }
    return { question: pair.rephrased.question, options: { ...pair.rephrased.options } };
  }
  return { question: pair.question, options: { ...pair.options } };
}

/** The dataset's option that the letter shown to the model stands for. */
export function datasetOption(shown: Option, variant: Variant): Option {
  if (variant !== 'swapped') return shown;
  return shown === 'A' ? 'B' : 'A';
}

/** Per-option values (scores, probabilities) keyed by shown letter, re-keyed by the dataset's option. */
export function datasetOrder<T>(shown: Record<Option, T>, variant: Variant): Record<Option, T> {
  return variant === 'swapped' ? { A: shown.B, B: shown.A } : shown;
}
