import { z } from 'zod';
import type { OptionScores } from './mc-parser.js';

/** The judge prompt's scale: each option gets a closeness score from 1 to 10. */
export const judgeScoreSchema = z.number().int().min(1).max(10);
const judgeScoresSchema = z.object({ A: judgeScoreSchema, B: judgeScoreSchema });

export type JudgeReplyResult =
  | { ok: true; scores: OptionScores; explanation: string }
  | { ok: false; error: string };

// `A: 7`, `**A:** 7`, `- A: 7/10`, `Answer A: 7`; markdown emphasis is removed before matching.
const SCORE_LINE = /^(?:[-*•]\s*)?(?:\[?Answer\s+)?(A|B)\]?\s*:\s*(.*)$/;
const SCORE_VALUE = /^([+-]?\d+)(?:\s*\/\s*10)?\.?$/;
const EXPLANATION_LINE = /^(?:[-*•]\s*)?Your explanation\s*:\s*(.*)$/i;

function stripEmphasis(line: string): string {
  return line.replace(/\*\*|__/g, '').trim();
}

/**
 * Reads a judge ("conversion") reply in the official format — lines `A: <score>`, `B: <score>`,
 * `Your explanation: <text>` — into closeness scores. Whitespace, blank lines, CRLF, list markers, markdown
 * bold and a preamble are tolerated; the meaning is not guessed: each of A and B must appear exactly once with
 * a whole number from 1 to 10 (optionally written `n/10`). The explanation is everything from the
 * `Your explanation:` line on, or empty when there is none. Never throws.
 */
export function parseJudgeReply(reply: string | null): JudgeReplyResult {
  if (reply === null || reply.trim() === '') return { ok: false, error: 'the judge gave no reply' };
  const lines = reply.split(/\r?\n/).map(stripEmphasis);
  const found: Partial<Record<'A' | 'B', number>> = {};
  let explanation = '';

  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const explanationMatch = EXPLANATION_LINE.exec(line);
    if (explanationMatch) {
      explanation = [explanationMatch[1] ?? '', ...lines.slice(i + 1)].join('\n').trim();
      break;
    }
    const scoreMatch = SCORE_LINE.exec(line);
    if (!scoreMatch) continue;
    const letter = scoreMatch[1] as 'A' | 'B';
    const rawValue = (scoreMatch[2] ?? '').trim();
    const valueMatch = SCORE_VALUE.exec(rawValue);
    if (!valueMatch) {
      return {
        ok: false,
        error: `the score for ${letter} is not a whole number: ${JSON.stringify(rawValue)}`,
      };
    }
    if (found[letter] !== undefined) {
      return { ok: false, error: `the reply gives a score for ${letter} more than once` };
    }
    found[letter] = Number(valueMatch[1]);
  }

  for (const letter of ['A', 'B'] as const) {
    if (found[letter] === undefined) {
      return { ok: false, error: `the reply has no "${letter}: <score>" line` };
    }
  }
  const parsed = judgeScoresSchema.safeParse(found);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const letter = String(issue?.path[0] ?? '?');
    return {
      ok: false,
      error: `the score for ${letter} must be a whole number from 1 to 10, got ${found[letter as 'A' | 'B']}`,
    };
  }
  return { ok: true, scores: parsed.data, explanation };
}
