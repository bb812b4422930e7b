import type { Option } from '../dataset/model.js';
import type { AnswerRecord } from './records.js';

/** One image's latest click. */
export interface Click {
  option: Option;
  at: number;
  responseMs: number;
  changes: number;
}

/** What one person has answered in one round so far. */
export interface PersonRound {
  userId: string;
  displayName: string;
  clicks: [Click | null, Click | null];
}

export function chosenOf(person: PersonRound): [Option | null, Option | null] {
  return [person.clicks[0]?.option ?? null, person.clicks[1]?.option ?? null];
}

export function isComplete(person: PersonRound): boolean {
  return person.clicks[0] !== null && person.clicks[1] !== null;
}

/** Time to finish the pair: the later of the two clicks; null until both images are answered. */
export function completionMs(person: PersonRound): number | null {
  const [a, b] = person.clicks;
  return a === null || b === null ? null : Math.max(a.responseMs, b.responseMs);
}

/** Groups stored answer records by round, then by person (the display name of the latest click wins). */
export function groupAnswers(records: Iterable<AnswerRecord>): Map<number, Map<string, PersonRound>> {
  const rounds = new Map<number, Map<string, PersonRound>>();
  for (const r of records) {
    let people = rounds.get(r.round);
    if (people === undefined) {
      people = new Map();
      rounds.set(r.round, people);
    }
    let person = people.get(r.userId);
    if (person === undefined) {
      person = { userId: r.userId, displayName: r.displayName, clicks: [null, null] };
      people.set(r.userId, person);
    }
    const latest = Math.max(person.clicks[0]?.at ?? 0, person.clicks[1]?.at ?? 0);
    if (r.at >= latest) person.displayName = r.displayName;
    person.clicks[r.slot] = { option: r.option, at: r.at, responseMs: r.responseMs, changes: r.changes };
  }
  return rounds;
}
