import type { Option } from '../../dataset/model.js';
import { UserFacingError } from '../../errors.js';
import type { ImageVerdict } from '../outcome.js';
import type { CachedCompletion } from '../records.js';
import {
  letterProbabilities,
  type OptionProbabilities,
  prefixChoice,
  prefixScore,
  replyLetterProbabilities,
} from './logprob-choice.js';
import { type AskedQuestion, datasetOption, datasetOrder, type Variant } from './variants.js';

/** A verdict that may carry the model's probability of each option. */
export interface ScoredVerdict extends ImageVerdict {
  probabilities: OptionProbabilities | null;
}

/** The official letter scores of a chosen letter, as the official parser gives a one-letter reply. */
function letterScores(chosen: Option): { A: number; B: number } {
  return chosen === 'A' ? { A: 10, B: 0 } : { A: 0, B: 10 };
}

function errorVerdict(answer: Extract<CachedCompletion, { ok: false }>, prefix = ''): ScoredVerdict {
  return {
    outcome: 'ERROR',
    chosen: null,
    scores: null,
    reason: `${prefix}${answer.error}`,
    judgeExplanation: null,
    probabilities: null,
  };
}

/** Where the endpoint is, for messages: never a key. */
export interface EndpointRef {
  id: string;
  baseURL: string | null;
}

/**
 * The endpoint answered without the log-probabilities the mode needs. Not an image's failure but the
 * server's: the run stops at once instead of filling a table with INVALIDs.
 */
export function noLogprobsError(model: EndpointRef, what: string): UserFacingError {
  return new UserFacingError(
    'PROBE_NO_LOGPROBS',
    `Model ${model.id} (${model.baseURL ?? 'OpenAI'}) returned no ${what}, which this mode needs. ` +
      'See "Evaluation modes" in the README for the servers that return them.',
  );
}

/** Throws when a reply that should carry log-probabilities has none (checked before it is cached). */
export function requireLogprobs(
  completion: CachedCompletion,
  kind: 'reply' | 'prefill',
  model: EndpointRef,
): void {
  if (!completion.ok) return;
  if (kind === 'reply' && !completion.tokens?.length) throw noLogprobsError(model, 'token log-probabilities');
  if (kind === 'prefill' && !completion.promptTokens?.length) {
    throw noLogprobsError(model, 'prompt log-probabilities (vLLM `prompt_logprobs`)');
  }
}

/** Greedy: the first reply token's probabilities of "A" and "B" choose the letter. */
export function greedyVerdict(answer: CachedCompletion): ScoredVerdict {
  if (!answer.ok) return errorVerdict(answer);
  const first = answer.tokens?.[0];
  if (first === undefined) throw new Error('greedy verdict without reply tokens');
  const reading = letterProbabilities(first);
  if (!reading.ok) {
    return {
      outcome: 'INVALID',
      chosen: null,
      scores: { A: 0, B: 0 },
      reason: reading.reason,
      judgeExplanation: null,
      probabilities: null,
    };
  }
  return {
    outcome: 'ANSWERED',
    chosen: reading.chosen,
    scores: letterScores(reading.chosen),
    reason: reading.note,
    judgeExplanation: null,
    probabilities: reading.probabilities,
  };
}

/** Prefix: each option prefilled as the answer; the higher geometric-mean token probability wins. */
export function prefixVerdict(
  answers: Record<Option, CachedCompletion>,
  asked: AskedQuestion,
): ScoredVerdict {
  for (const letter of ['A', 'B'] as const) {
    const answer = answers[letter];
    if (!answer.ok) return errorVerdict(answer, `option ${letter}: `);
  }
  const scores: Partial<Record<Option, number>> = {};
  for (const letter of ['A', 'B'] as const) {
    const answer = answers[letter];
    const reading = prefixScore((answer.ok && answer.promptTokens) || [], asked.options[letter]);
    if (!reading.ok) {
      return {
        outcome: 'INVALID',
        chosen: null,
        scores: { A: 0, B: 0 },
        reason: `option ${letter}: ${reading.reason}`,
        judgeExplanation: null,
        probabilities: null,
      };
    }
    scores[letter] = reading.score;
  }
  const both = { A: scores.A ?? 0, B: scores.B ?? 0 };
  const { chosen, probabilities } = prefixChoice(both);
  return {
    outcome: 'ANSWERED',
    chosen,
    scores: letterScores(chosen),
    reason: null,
    judgeExplanation: null,
    probabilities,
  };
}

/** The prefix scores as a readable reply (`A 0.41 · B 0.12`), kept where other modes keep the reply text. */
export function prefixReplyText(answers: Record<Option, CachedCompletion>, asked: AskedQuestion): string {
  const part = (letter: Option) => {
    const answer = answers[letter];
    const reading =
      answer.ok && answer.promptTokens ? prefixScore(answer.promptTokens, asked.options[letter]) : null;
    return `${letter} ${reading?.ok ? reading.score.toPrecision(6) : '-'}`;
  };
  return `prefix scores: ${part('A')}, ${part('B')}`;
}

/** Multiple choice with log-probabilities: the parsed letter stands; the probabilities say how sure. */
export function withReplyConfidence(verdict: ImageVerdict, answer: CachedCompletion): ScoredVerdict {
  if (verdict.chosen === null || !answer.ok || !answer.tokens) return { ...verdict, probabilities: null };
  const reading = replyLetterProbabilities(answer.tokens, verdict.chosen);
  return { ...verdict, probabilities: reading?.ok ? reading.probabilities : null };
}

/** The verdict in the dataset's option order, with the confidence in the chosen option. */
export function inDatasetOrder(
  verdict: ScoredVerdict,
  variant: Variant,
): ScoredVerdict & { confidence: number | null } {
  const chosen = verdict.chosen === null ? null : datasetOption(verdict.chosen, variant);
  const probabilities = verdict.probabilities ? datasetOrder(verdict.probabilities, variant) : null;
  return {
    ...verdict,
    chosen,
    scores: verdict.scores ? datasetOrder(verdict.scores, variant) : null,
    probabilities,
    confidence: chosen !== null && probabilities ? probabilities[chosen] : null,
  };
}
