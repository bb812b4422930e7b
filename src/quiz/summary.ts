import type { ConfusingPair, PairSet } from '../dataset/model.js';
import { scorePair } from '../scoring/pair-score.js';
import { chosenOf, type PersonRound } from './answers.js';
import type { EndReason, RoundResultRecord, SessionRecord } from './records.js';
import { type Comparison, compare, type ScoredInstance } from './tallies.js';

export interface ParticipantResult {
  userId: string;
  displayName: string;
  /** 1 for the best; people tied on every ranking key share a rank. */
  rank: number;
  /** Rounds in which they answered at least one image. */
  pairsAnswered: number;
  setCorrect: number;
  imagesCorrect: number;
  confused: number;
  /** Percent of the session's played rounds with both images right (a round not answered counts as wrong). */
  setAccuracy: number;
  /** Percent of the played rounds' images answered right. */
  individualAccuracy: number;
  /** Sum over answered rounds of the time to their last click: a tie-breaker only. */
  totalResponseMs: number;
}

export interface SessionSummary {
  sessionId: string;
  roomId: string;
  guildId: string | null;
  status: 'active' | 'ended';
  endReason: EndReason | null;
  /** Rounds revealed (skipped rounds are not played). */
  roundsPlayed: number;
  pairIds: string[];
  /** Everyone who answered, best first. */
  participants: ParticipantResult[];
  /** The participants ranked 1 to 3 (more than three when people tie). */
  podium: ParticipantResult[];
  /** People against each selected model, per category, on this session's played pairs. */
  comparison: Comparison;
}

/**
 * The ranking: set accuracy first, then individual accuracy, and only when both are equal the faster total
 * response time. Accuracy is what the benchmark measures; speed just breaks ties, so a fast guesser never
 * outranks a slower person who got more right.
 */
export function compareParticipants(a: ParticipantResult, b: ParticipantResult): number {
  return (
    b.setAccuracy - a.setAccuracy ||
    b.individualAccuracy - a.individualAccuracy ||
    a.totalResponseMs - b.totalResponseMs
  );
}

export function summarizeSession(input: {
  set: PairSet;
  pairs: ReadonlyMap<string, ConfusingPair>;
  session: SessionRecord;
  answers: ReadonlyMap<number, ReadonlyMap<string, PersonRound>>;
  results: ReadonlyMap<number, RoundResultRecord>;
}): SessionSummary {
  const { session } = input;
  const played = session.rounds.filter((r) => r.state === 'revealed');
  const people: ScoredInstance[] = [];
  const models = new Map<string, ScoredInstance[]>(session.settings.models.map((m) => [m, []]));
  const byUser = new Map<string, Omit<ParticipantResult, 'rank' | 'setAccuracy' | 'individualAccuracy'>>();

  for (const round of played) {
    const pair = input.pairs.get(round.pairId);
    if (pair === undefined) continue;
    for (const person of input.answers.get(round.index)?.values() ?? []) {
      const score = scorePair(pair, chosenOf(person));
      people.push({ pair, score });
      const entry = byUser.get(person.userId) ?? {
        userId: person.userId,
        displayName: person.displayName,
        pairsAnswered: 0,
        setCorrect: 0,
        imagesCorrect: 0,
        confused: 0,
        totalResponseMs: 0,
      };
      entry.displayName = person.displayName;
      entry.pairsAnswered++;
      if (score.setCorrect) entry.setCorrect++;
      entry.imagesCorrect += Number(score.correct[0]) + Number(score.correct[1]);
      if (score.confused) entry.confused++;
      entry.totalResponseMs += Math.max(person.clicks[0]?.responseMs ?? 0, person.clicks[1]?.responseMs ?? 0);
      byUser.set(person.userId, entry);
    }
    for (const outcome of input.results.get(round.index)?.models ?? []) {
      if (outcome.status !== 'answered') continue;
      models.get(outcome.modelId)?.push({ pair, score: scorePair(pair, outcome.chosen) });
    }
  }

  const n = played.length;
  const unranked = [...byUser.values()].map(
    (e): ParticipantResult => ({
      ...e,
      rank: 0,
      setAccuracy: n === 0 ? 0 : (e.setCorrect / n) * 100,
      individualAccuracy: n === 0 ? 0 : (e.imagesCorrect / (2 * n)) * 100,
    }),
  );
  unranked.sort((a, b) => compareParticipants(a, b) || a.userId.localeCompare(b.userId));
  const participants = unranked.map((p, i) => {
    const previous = unranked[i - 1];
    return { p, tiedWithPrevious: previous !== undefined && compareParticipants(previous, p) === 0 };
  });
  let rank = 0;
  const ranked = participants.map(({ p, tiedWithPrevious }, i) => {
    if (!tiedWithPrevious) rank = i + 1;
    return { ...p, rank };
  });

  return {
    sessionId: session.id,
    roomId: session.roomId,
    guildId: session.guildId,
    status: session.status,
    endReason: session.endReason,
    roundsPlayed: n,
    pairIds: played.map((r) => r.pairId),
    participants: ranked,
    podium: ranked.filter((p) => p.rank <= 3),
    comparison: compare(input.set, people, models),
  };
}
