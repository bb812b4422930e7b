import type { Option } from '../dataset/model.js';

/** Closeness of a reply to each option: 0 or 10 from the multiple-choice parser, 1–10 from a judge. */
export type OptionScores = { A: number; B: number };

/** The score the official parser gives an option it recognises in a reply. */
export const MC_MATCH_SCORE = 10;

/**
 * The whole-token forms the official parser accepts for a letter (utils/answering.py, `clean_up_manual`).
 * The forms with a newline can never match, because newlines become spaces before the split; they are kept
 * so the list reads like the official one.
 */
function validForms(letter: Option): string[] {
  const L = letter;
  return [
    L,
    `${L}:`,
    `.${L}`,
    `.${L}:`,
    `${L}.`,
    `${L}")`,
    `${L}\n`,
    `\n${L}`,
    `("${L}":`,
    `("${L}")`,
    `("${L}").`,
  ];
}

const VALID_FORMS: Record<Option, ReadonlySet<string>> = {
  A: new Set(validForms('A')),
  B: new Set(validForms('B')),
};

/**
 * The official multiple-choice reply parser, quirks included: newlines (not `\r`) become spaces, the reply is
 * split on single spaces (so runs of spaces give empty tokens), a letter scores 10 when any token is exactly
 * one of its accepted forms (case-sensitive), and a reply naming both letters scores 0 for both.
 */
export function parseMcReply(reply: string | null): OptionScores {
  const scores: OptionScores = { A: 0, B: 0 };
  if (reply === null) return scores;
  const tokens = reply.replaceAll('\n', ' ').split(' ');
  for (const letter of ['A', 'B'] as const) {
    if (tokens.some((token) => VALID_FORMS[letter].has(token))) scores[letter] = MC_MATCH_SCORE;
  }
  if (scores.A === MC_MATCH_SCORE && scores.B === MC_MATCH_SCORE) return { A: 0, B: 0 };
  return scores;
}
