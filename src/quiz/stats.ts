import type { ConfusingPair, PairSet } from '../dataset/model.js';
import { wilsonInterval } from '../scoring/intervals.js';
import { scorePair } from '../scoring/pair-score.js';
import { chosenOf, groupAnswers, type PersonRound } from './answers.js';
import { pairHasCategory, resolveCategory } from './pairs.js';
import type { PersonIndex } from './person-index.js';
import type { RoundRecord, RoundResultRecord, SessionRecord } from './records.js';
import { answerKey, collect, type QuizCollections, resultKey, sessionPrefix } from './store-layout.js';
import { type Comparison, compare, type ScoredInstance } from './tallies.js';

/** Whose answers to count: one room (channel), one server, one person, or everyone. */
export type StatsScope =
  | { kind: 'room'; roomId: string }
  | { kind: 'guild'; guildId: string }
  | { kind: 'user'; userId: string }
  | { kind: 'all' };

export interface StatsDeps {
  set: PairSet;
  pairs: ReadonlyMap<string, ConfusingPair>;
  db: QuizCollections;
  /** Lets a person's statistics read only their sessions; without it they come from a full pass. */
  personIndex?: PersonIndex;
}

export interface ScopeStats {
  scope: StatsScope;
  sessions: number;
  /** Revealed rounds counted. */
  rounds: number;
  /** Distinct people who answered. */
  people: number;
  /**
   * People (one entry per person and round) against each model (one entry per round it answered, over
   * the same rounds), per category with Wilson intervals, and the chance line.
   */
  comparison: Comparison;
}

export interface LeaderboardOptions {
  /** Only people with at least this many answered pairs are ranked (default 10). */
  minPairs?: number;
  /** How many entries to return (default 10). */
  limit?: number;
  /** Count only pairs of this category (either image has it). */
  category?: string | null;
}

export interface LeaderboardEntry {
  rank: number;
  userId: string;
  displayName: string;
  pairs: number;
  setCorrect: number;
  /** Percent of answered pairs with both images right. */
  setAccuracy: number;
  /** 95% Wilson interval of the set accuracy, in percent. */
  setInterval: { low: number; high: number };
  individualAccuracy: number;
  /** Percent of fully answered pairs with the same option picked twice. */
  confusion: number | null;
}

export interface Leaderboard {
  scope: StatsScope;
  category: string | null;
  minPairs: number;
  entries: LeaderboardEntry[];
  /** People who answered but fewer than `minPairs` pairs. */
  belowMinimum: number;
}

interface PlayedRound {
  session: SessionRecord;
  round: RoundRecord;
  pair: ConfusingPair;
  people: ReadonlyMap<string, PersonRound>;
  result: RoundResultRecord | undefined;
}

/**
 * Every revealed round in the scope with its answers, read straight from the store. Straightforward on
 * purpose (a full pass over the scope's sessions): correct after any restart and fast enough for many
 * thousands of answers; a skipped or still-open round never counts.
 */
async function playedRounds(deps: StatsDeps, scope: StatsScope): Promise<PlayedRound[]> {
  if (scope.kind === 'user' && deps.personIndex !== undefined) {
    return personRounds(deps, scope.userId, deps.personIndex);
  }
  const played: PlayedRound[] = [];
  for await (const [, session] of deps.db.sessions.entries()) {
    if (scope.kind === 'room' && session.roomId !== scope.roomId) continue;
    if (scope.kind === 'guild' && session.guildId !== scope.guildId) continue;
    const revealed = session.rounds.filter((r) => r.state === 'revealed');
    if (revealed.length === 0) continue;
    const [answers, results] = await Promise.all([
      collect(deps.db.answers.entries(sessionPrefix(session.id))),
      collect(deps.db.results.entries(sessionPrefix(session.id))),
    ]);
    const byRound = groupAnswers(answers);
    const resultByRound = new Map(results.map((r) => [r.round, r]));
    for (const round of revealed) {
      const pair = deps.pairs.get(round.pairId);
      if (pair === undefined) continue;
      let people: ReadonlyMap<string, PersonRound> = byRound.get(round.index) ?? new Map();
      if (scope.kind === 'user') {
        const person = people.get(scope.userId);
        if (person === undefined) continue;
        people = new Map([[scope.userId, person]]);
      }
      played.push({ session, round, pair, people, result: resultByRound.get(round.index) });
    }
  }
  return played;
}

/**
 * The same as `playedRounds` for one person, from the per-person index: their sessions, and in each only
 * their own clicks (read by key) and the round results.
 */
async function personRounds(deps: StatsDeps, userId: string, index: PersonIndex): Promise<PlayedRound[]> {
  const ids = await index.sessionsOf(userId);
  const sessions = (await deps.db.sessions.getMany(ids)).filter((s) => s !== undefined);
  const played: PlayedRound[] = [];
  for (const session of sessions) {
    const revealed = session.rounds.filter((r) => r.state === 'revealed');
    if (revealed.length === 0) continue;
    const [answers, results] = await Promise.all([
      deps.db.answers.getMany(
        revealed.flatMap((r) => [
          answerKey(session.id, r.index, userId, 0),
          answerKey(session.id, r.index, userId, 1),
        ]),
      ),
      deps.db.results.getMany(revealed.map((r) => resultKey(session.id, r.index))),
    ]);
    const byRound = groupAnswers(answers.filter((a) => a !== undefined));
    for (const [i, round] of revealed.entries()) {
      const pair = deps.pairs.get(round.pairId);
      const person = byRound.get(round.index)?.get(userId);
      if (pair === undefined || person === undefined) continue;
      played.push({ session, round, pair, people: new Map([[userId, person]]), result: results[i] });
    }
  }
  return played;
}

export async function scopeStats(deps: StatsDeps, scope: StatsScope): Promise<ScopeStats> {
  const rounds = await playedRounds(deps, scope);
  const people: ScoredInstance[] = [];
  const models = new Map<string, ScoredInstance[]>();
  const persons = new Set<string>();
  const sessions = new Set<string>();
  for (const { session, pair, people: answered, result } of rounds) {
    sessions.add(session.id);
    for (const person of answered.values()) {
      persons.add(person.userId);
      people.push({ pair, score: scorePair(pair, chosenOf(person)) });
    }
    for (const outcome of result?.models ?? []) {
      // A model that failed or had not answered yet is left out rather than counted wrong: its outage
      // says nothing about what it knows.
      if (outcome.status !== 'answered') continue;
      const list = models.get(outcome.modelId) ?? [];
      list.push({ pair, score: scorePair(pair, outcome.chosen) });
      models.set(outcome.modelId, list);
    }
  }
  const sortedModels = new Map([...models].sort(([a], [b]) => a.localeCompare(b)));
  return {
    scope,
    sessions: sessions.size,
    rounds: rounds.length,
    people: persons.size,
    comparison: compare(deps.set, people, sortedModels),
  };
}

export async function leaderboard(
  deps: StatsDeps,
  scope: StatsScope,
  options: LeaderboardOptions = {},
): Promise<Leaderboard> {
  const minPairs = options.minPairs ?? 10;
  const limit = options.limit ?? 10;
  const category =
    options.category === undefined || options.category === null
      ? null
      : resolveCategory(deps.set, options.category);
  const tallies = new Map<
    string,
    {
      displayName: string;
      lastAt: number;
      pairs: number;
      set: number;
      images: number;
      complete: number;
      confused: number;
    }
  >();
  for (const { pair, people } of await playedRounds(deps, scope)) {
    if (category !== null && !pairHasCategory(pair, category)) continue;
    for (const person of people.values()) {
      const score = scorePair(pair, chosenOf(person));
      const t = tallies.get(person.userId) ?? {
        displayName: person.displayName,
        lastAt: 0,
        pairs: 0,
        set: 0,
        images: 0,
        complete: 0,
        confused: 0,
      };
      const at = Math.max(person.clicks[0]?.at ?? 0, person.clicks[1]?.at ?? 0);
      if (at >= t.lastAt) {
        t.lastAt = at;
        t.displayName = person.displayName;
      }
      t.pairs++;
      if (score.setCorrect) t.set++;
      t.images += Number(score.correct[0]) + Number(score.correct[1]);
      if (!score.invalid[0] && !score.invalid[1]) t.complete++;
      if (score.confused) t.confused++;
      tallies.set(person.userId, t);
    }
  }
  const eligible: Omit<LeaderboardEntry, 'rank'>[] = [];
  let belowMinimum = 0;
  for (const [userId, t] of tallies) {
    if (t.pairs < minPairs) {
      belowMinimum++;
      continue;
    }
    const interval = wilsonInterval(t.set, t.pairs);
    eligible.push({
      userId,
      displayName: t.displayName,
      pairs: t.pairs,
      setCorrect: t.set,
      setAccuracy: (t.set / t.pairs) * 100,
      setInterval: { low: interval.low * 100, high: interval.high * 100 },
      individualAccuracy: (t.images / (2 * t.pairs)) * 100,
      confusion: t.complete === 0 ? null : (t.confused / t.complete) * 100,
    });
  }
  const order = (a: Omit<LeaderboardEntry, 'rank'>, b: Omit<LeaderboardEntry, 'rank'>) =>
    b.setAccuracy - a.setAccuracy || b.individualAccuracy - a.individualAccuracy || b.pairs - a.pairs;
  eligible.sort((a, b) => order(a, b) || a.userId.localeCompare(b.userId));
  let rank = 0;
  const entries = eligible.slice(0, limit).map((e, i) => {
    const previous = eligible[i - 1];
    if (previous === undefined || order(previous, e) !== 0) rank = i + 1;
    return { rank, ...e };
  });
  return { scope, category, minPairs, entries, belowMinimum };
}
