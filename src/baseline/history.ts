import type { ConfusingPair, ImageSlot, Option, PairSet } from '../dataset/model.js';
import { PersonIndex } from '../quiz/person-index.js';
import type { AnswerRecord, RoundStateName, SessionRecord } from '../quiz/records.js';
import { answerKey, quizCollections } from '../quiz/store-layout.js';
import type { Store } from '../store/types.js';
import type { Pseudonymizer } from './pseudonym.js';
import { baselineCollections } from './store-layout.js';

/**
 * Everyone's answers in one list, whatever recorded them: the private baseline (this module) and the quiz
 * (read-only from the quiz engine's collections), each with its context, under pseudonyms.
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
  roundState: RoundStateName | null;
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
export const quizShownAt = (record: AnswerRecord): number => record.at - record.responseMs;

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
  const quiz = quizCollections(store);
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

  const sessions = new Map<string, SessionRecord>();
  for await (const [id, session] of quiz.sessions.entries()) sessions.set(id, session);
  const quizRows: AnswerRow[] = [];
  for await (const [, a] of quiz.answers.entries()) {
    const session = sessions.get(a.sessionId);
    const pair = pairs.get(a.pairId);
    if (session === undefined || session.setName !== set.name || pair === undefined) {
      skippedQuizAnswers++;
      continue;
    }
    const state = session.rounds.find((r) => r.index === a.round)?.state ?? 'open';
    quizRows.push({
      participant: pseudonyms.pseudonymOf(a.userId),
      context: 'quiz',
      sessionId: a.sessionId,
      round: a.round,
      roundState: state,
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

/** The quiz answers of one platform user (raw id, as the quiz stores it), with their sessions. */
export async function quizAnswersOfUser(
  store: Store,
  userId: string,
): Promise<Array<{ key: string; record: AnswerRecord }>> {
  const found: Array<{ key: string; record: AnswerRecord }> = [];
  // The quiz's keys put the user third (session:round:user:slot), so only a full pass finds them all.
  for await (const [key, record] of quizCollections(store).answers.entries()) {
    if (record.userId === userId) found.push({ key, record });
  }
  return found;
}

/**
 * The quiz answers of one user (raw id) in the sessions of one set. Rather than reading every click of every
 * session, it reads the user's sessions from the quiz's per-person index and asks for the user's own keys:
 * the quiz keys a click by session, round, user and image (src/quiz/store-layout.ts), and the session
 * records list their rounds.
 */
export async function quizAnswersOfUserInSet(
  store: Store,
  userId: string,
  setName: string,
): Promise<AnswerRecord[]> {
  const quiz = quizCollections(store);
  const keys: string[] = [];
  const sessions = await quiz.sessions.getMany(await new PersonIndex(store).sessionsOf(userId));
  for (const session of sessions) {
    if (session === undefined || session.setName !== setName) continue;
    for (const round of session.rounds) {
      keys.push(answerKey(session.id, round.index, userId, 0), answerKey(session.id, round.index, userId, 1));
    }
  }
  const found: AnswerRecord[] = [];
  for (let start = 0; start < keys.length; start += 500) {
    for (const record of await quiz.answers.getMany(keys.slice(start, start + 500))) {
      if (record !== undefined) found.push(record);
    }
  }
  return found;
}
