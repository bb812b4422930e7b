import type { Option } from '../dataset/model.js';
import { chooseOption } from '../scoring/choice.js';
import { parseJudgeReply } from '../scoring/judge-reply.js';
import { type OptionScores, parseMcReply } from '../scoring/mc-parser.js';
import type { CachedCompletion, Outcome } from './records.js';

/** What one image's replies amount to, before bookkeeping (latency, tokens, cache) is added. */
export interface ImageVerdict {
  outcome: Outcome;
  chosen: Option | null;
  scores: OptionScores | null;
  reason: string | null;
  judgeExplanation: string | null;
}

function describeMcMiss(reply: string): string {
  if (reply.trim() === '') return 'empty reply';
  // The official parser zeroes both letters when it finds both, and finds neither otherwise.
  const tokens = reply.replaceAll('\n', ' ').split(' ');
  const mentions = (letter: Option) => tokens.some((t) => t.replace(/[^A-Z]/g, '') === letter);
  if (mentions('A') && mentions('B')) return 'the reply names both options';
  return 'the reply names no option in a form the official parser accepts';
}

/** Multiple choice: the official parser reads the letter, the official rule picks the option. */
export function mcVerdict(answer: CachedCompletion, threshold: number): ImageVerdict {
  if (!answer.ok)
    return { outcome: 'ERROR', chosen: null, scores: null, reason: answer.error, judgeExplanation: null };
  const scores = parseMcReply(answer.text);
  const chosen = chooseOption(scores, threshold);
  return chosen === null
    ? { outcome: 'INVALID', chosen, scores, reason: describeMcMiss(answer.text), judgeExplanation: null }
    : { outcome: 'ANSWERED', chosen, scores, reason: null, judgeExplanation: null };
}

/** Free form: the judge scores the reply's closeness to each option; a clear lead picks the option. */
export function ffVerdict(
  answer: CachedCompletion,
  judge: CachedCompletion | null,
  threshold: number,
): ImageVerdict {
  if (!answer.ok)
    return { outcome: 'ERROR', chosen: null, scores: null, reason: answer.error, judgeExplanation: null };
  if (judge === null) throw new Error('a free-form answer needs a judge verdict');
  if (!judge.ok) {
    return {
      outcome: 'ERROR',
      chosen: null,
      scores: null,
      reason: `judge: ${judge.error}`,
      judgeExplanation: null,
    };
  }
  const parsed = parseJudgeReply(judge.text);
  if (!parsed.ok) {
    return {
      outcome: 'INVALID',
      chosen: null,
      scores: null,
      reason: `the judge's reply did not parse: ${parsed.error}`,
      judgeExplanation: null,
    };
  }
  const chosen = chooseOption(parsed.scores, threshold);
  return chosen === null
    ? {
        outcome: 'INVALID',
        chosen,
        scores: parsed.scores,
        reason: `judge scores A ${parsed.scores.A}, B ${parsed.scores.B}: no option leads by ${threshold}`,
        judgeExplanation: parsed.explanation,
      }
    : {
        outcome: 'ANSWERED',
        chosen,
        scores: parsed.scores,
        reason: null,
        judgeExplanation: parsed.explanation,
      };
}
