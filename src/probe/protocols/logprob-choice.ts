import type { ReplyToken, TokenChoice } from '../../adapters/logprobs.js';
import type { Option } from '../../dataset/model.js';

/**
 * Choosing an option from token log-probabilities, as the official greedy and prefix modes do, from what an
 * OpenAI-compatible server returns instead of the model's raw logits. Pure functions: the runner feeds them
 * cached replies and maps the shown letters back to the dataset's options (variants.ts).
 */

/** Each option's probability, normalised over the two options (they sum to 1). */
export type OptionProbabilities = Record<Option, number>;

export type LetterReading =
  | {
      ok: true;
      chosen: Option;
      probabilities: OptionProbabilities;
      /** How a letter missing from the listed alternatives was handled; null when both were listed. */
      note: string | null;
    }
  | { ok: false; reason: string };

/** A token stands for a letter when it is the letter alone, spaces around it allowed (`A`, ` A`). */
function letterOf(token: string): Option | null {
  const trimmed = token.trim();
  return trimmed === 'A' || trimmed === 'B' ? trimmed : null;
}

/**
 * The probabilities of "A" and "B" at one reply position, normalised over the two as the official greedy
 * mode does (a softmax over the two letters' logits equals each letter's probability divided by their sum).
 * Token variants of one letter (`A`, ` A`) are added up. The chosen letter is the more probable one; on a
 * tie, A (the official code's argmax takes the first).
 *
 * A letter absent from the listed alternatives has a probability no higher than the least probable listed
 * token; that bound stands in for it. The listed letter is then chosen (it is at least as probable), and its
 * confidence is a lower bound. With neither letter listed the image is INVALID.
 */
export function letterProbabilities(position: ReplyToken): LetterReading {
  const seen = new Map<string, number>();
  for (const choice of [position, ...position.top]) {
    if (!seen.has(choice.token)) seen.set(choice.token, choice.logprob);
  }
  const mass: Record<Option, number> = { A: 0, B: 0 };
  const found: Record<Option, boolean> = { A: false, B: false };
  let smallest = Number.POSITIVE_INFINITY;
  for (const [token, logprob] of seen) {
    const p = Math.exp(logprob);
    smallest = Math.min(smallest, p);
    const letter = letterOf(token);
    if (letter === null) continue;
    mass[letter] += p;
    found[letter] = true;
  }
  if (!found.A && !found.B) {
    const listed = [...seen.keys()].map((t) => JSON.stringify(t)).join(', ');
    return { ok: false, reason: `neither "A" nor "B" is among the ${seen.size} listed tokens (${listed})` };
  }
  let note: string | null = null;
  for (const letter of ['A', 'B'] as const) {
    if (found[letter]) continue;
    mass[letter] = smallest;
    note = `"${letter}" is not among the ${seen.size} listed tokens; its probability was taken as at most the least probable listed token's`;
  }
  const total = mass.A + mass.B;
  const probabilities = { A: mass.A / total, B: mass.B / total };
  const chosen: Option = !found.A ? 'B' : !found.B ? 'A' : probabilities.A >= probabilities.B ? 'A' : 'B';
  return { ok: true, chosen, probabilities, note };
}

/**
 * Confidence behind a multiple-choice reply: the letter probabilities at the first reply token that is the
 * chosen letter (`A`, or `A` inside `("A")`); null when no token of the reply is that letter alone.
 */
export function replyLetterProbabilities(
  tokens: readonly ReplyToken[],
  chosen: Option,
): LetterReading | null {
  const position = tokens.find((t) => t.token.replace(/[^A-Za-z]/g, '') === chosen);
  return position === undefined ? null : letterProbabilities(position);
}

export type PrefixReading = { ok: true; score: number; tokens: number } | { ok: false; reason: string };

/**
 * The official prefix score of an option: the geometric mean of the probabilities of the option's tokens
 * where it stands as the assistant's answer, `exp(mean(logprob))`. The option's tokens are the shortest run
 * of final prompt tokens whose text covers the option's text (the first may also carry a space or a
 * character of the chat template, as the official code's `encode(" " + option)[1:]` tokens do not).
 */
export function prefixScore(promptTokens: readonly TokenChoice[], option: string): PrefixReading {
  const target = option.trim();
  let text = '';
  let start = promptTokens.length;
  while (start > 0 && text.trimStart().length < target.length) {
    start -= 1;
    text = (promptTokens[start]?.token ?? '') + text;
  }
  if (!text.trimEnd().endsWith(target)) {
    return {
      ok: false,
      reason: `the prompt does not end with the option's text (it ends ${JSON.stringify(text.slice(-40))})`,
    };
  }
  const span = promptTokens.slice(start);
  const mean = span.reduce((sum, t) => sum + t.logprob, 0) / span.length;
  return { ok: true, score: Math.exp(mean), tokens: span.length };
}

/** The official rule: A when its score is higher, otherwise B (a tie goes to B). */
export function prefixChoice(scores: Record<Option, number>): {
  chosen: Option;
  probabilities: OptionProbabilities;
} {
  const total = scores.A + scores.B;
  const probabilities = total > 0 ? { A: scores.A / total, B: scores.B / total } : { A: 0.5, B: 0.5 };
  return { chosen: scores.A > scores.B ? 'A' : 'B', probabilities };
}
