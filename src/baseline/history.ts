import type { ConfusingPair, ImageSlot, Option, PairSet } from '../dataset/model.js';
import { type QuizAnswer, QuizArchive, type QuizRoundState } from '../quiz/quiz-archive.js';
import type { Store } from '../store/types.js';
import type { Pseudonymizer } from './pseudonym.js';
import { baselineCollections } from './store-layout.js';

/**
 * Everyone's answers in one list, whatever recorded them: the private baseline (this module) and the quiz
 * (read through the quiz layer's QuizArchive), each with its context, under pseudonyms.
 */

export type AnswerContext = 'baseline' | 'quiz';

export interface AnswerRow {
  participant: string;
  context: AnswerContext;
  /** Quiz session id; null for the baseline. */
  sessionId: string | null;
  /** Quiz round index; null for the baseline. */
  round: number | null;
  /** State of the quiz round (only revealed rounds count in reports); null for the baseline. */
  roundState: QuizRoundState | null;
  pairId: string;
  slot: ImageSlot;
  localId: string;
  option: Option;
  correct: boolean;
  responseMs: number;
  /** The image had been shown to this participant before, in an earlier pair (any context). */
  seenBefore: boolean;
  /** Quiz only: how often the answer was changed before the reveal; 0 for the baseline (answers are final). */
  changes: number;
  /** When the pair was put in front of the participant (quiz: the round's start). */
  shownAt: number;
  at: number;
}

/**
 * One showing of a pair to a participant: a baseline pair, or a quiz round they answered. A quiz round
 * someone watched without answering leaves no trace, so it cannot count.
 */
export interface Exposure {
  instance: string;
  pairId: string;
  at: number;
}

export const baselineInstance = (pairId: string): string => `baseline:${pairId}`;
export const quizInstance = (sessionId: string, round: number): string => `quiz:${sessionId}:${round}`;

/** The round's start, recovered from the click: the engine stores `responseMs = at - startedAt`. */
export const quizShownAt = (record: QuizAnswer): number => record.at - record.responseMs;

/**
 * For each image of `pair`, whether its local id was in a pair shown earlier than `at` (another showing than
 * `instance`). Images recur across pairs, so a second sighting may be answered from memory.
 */
export function seenBeforeOf(
  pair: ConfusingPair,
  instance: string,
  at: number,
  exposures: Iterable<Exposure>,
  pairs: ReadonlyMap<string, ConfusingPair>,
): [boolean, boolean] {
  const earlier = new Set<string>();
  for (const e of exposures) {
    if (e.instance === instance || e.at >= at) continue;
    const shown = pairs.get(e.pairId);
    if (shown === undefined) continue;
    earlier.add(shown.images[0].localId);
    earlier.add(shown.images[1].localId);
  }
  return [earlier.has(pair.images[0].localId), earlier.has(pair.images[1].localId)];
}

export interface AnswerHistory {
  rows: AnswerRow[];
  /** Quiz answers left out: their session used another set, or is gone, or the pair is not in this set. */
  skippedQuizAnswers: number;
  /** Baseline answers of other sets. */
  skippedBaselineAnswers: number;
}

/**
 * Reads every answer to `set` from the store, sorted by participant then time. Straight passes over the
 * collections: an export is rare and must be complete, not fast.
 */
export async function readAnswerHistory(
  store: Store,
  set: PairSet,
  pairs: ReadonlyMap<string, ConfusingPair>,
  pseudonyms: Pseudonymizer,
): Promise<AnswerHistory> {
  const baseline = baselineCollections(store);
  const rows: AnswerRow[] = [];
  let skippedBaselineAnswers = 0;
  let skippedQuizAnswers = 0;

  for await (const [, r] of baseline.answers.entries()) {
    if (r.setName !== set.name || !pairs.has(r.pairId)) {
      skippedBaselineAnswers++;
      continue;
    }
    rows.push({
      participant: r.participant,
      context: 'baseline',
      sessionId: null,
      round: null,
      roundState: null,
      pairId: r.pairId,
      slot: r.slot,
      localId: r.localId,
      option: r.option,
      correct: r.correct,
      responseMs: r.responseMs,
      seenBefore: r.seenBefore,
      changes: 0,
      shownAt: r.shownAt,
      at: r.at,
    });
  }

  const quizRows: AnswerRow[] = [];
  for await (const { answer: a, session } of new QuizArchive(store).everyAnswer()) {
    const pair = pairs.get(a.pairId);
    if (session === null || session.setName !== set.name || pair === undefined) {
      skippedQuizAnswers++;
      continue;
    }
    quizRows.push({
      participant: pseudonyms.pseudonymOf(a.userId),
      context: 'quiz',
      sessionId: a.sessionId,
      round: a.round,
      roundState: session.roundState,
      pairId: a.pairId,
      slot: a.slot,
      localId: pair.images[a.slot].localId,
      option: a.option,
      correct: pair.images[a.slot].correct === a.option,
      responseMs: a.responseMs,
      seenBefore: false,
      changes: a.changes,
      shownAt: quizShownAt(a),
      at: a.at,
    });
  }

  // The quiz does not record sightings, so they are worked out here from everyone's answer history.
  const exposures = new Map<string, Exposure[]>();
  for (const row of [...rows, ...quizRows]) {
    const list = exposures.get(row.participant) ?? [];
    list.push({ instance: instanceOf(row), pairId: row.pairId, at: row.shownAt });
    exposures.set(row.participant, list);
  }
  for (const row of quizRows) {
    const pair = pairs.get(row.pairId) as ConfusingPair;
    const seen = seenBeforeOf(
      pair,
      instanceOf(row),
      row.shownAt,
      exposures.get(row.participant) ?? [],
      pairs,
    );
    row.seenBefore = seen[row.slot];
  }
  rows.push(...quizRows);
  rows.sort(
    (a, b) =>
      a.participant.localeCompare(b.participant) ||
      a.at - b.at ||
      a.pairId.localeCompare(b.pairId) ||
      a.slot - b.slot,
  );
  return { rows, skippedQuizAnswers, skippedBaselineAnswers };
}

export function instanceOf(row: Pick<AnswerRow, 'context' | 'sessionId' | 'round' | 'pairId'>): string {
  return row.context === 'baseline'
    ? baselineInstance(row.pairId)
    : quizInstance(row.sessionId ?? '', row.round ?? 0);
}
