import type { RoundView } from '../quiz/engine.js';
import type { RoundReveal } from '../quiz/reveal.js';
import type { SessionSummary } from '../quiz/summary.js';
import type { Comparison, Tally } from '../quiz/tallies.js';
import type {
  ComparisonView,
  ImageView,
  PlayerView,
  QuestionView,
  RevealView,
  SeriesView,
  SummaryView,
} from './protocol.js';
import { webModelPending } from './quiz-wording.js';

/** Turns engine results into what browsers receive, leaving out people's ids and anything before its time. */

/** Alt text before the reveal: the caption would give the answer away, so it waits for the reveal. */
export function hiddenAlt(slot: 0 | 1): string {
  return `Image ${slot + 1} of the pair. Its description is shown after the reveal.`;
}

export function revealedAlt(slot: 0 | 1, caption: string): string {
  const text = caption.trim();
  return `Image ${slot + 1}: ${text === '' ? 'no caption in the dataset' : text}`;
}

export function questionView(
  round: RoundView,
  category: string | null,
  allowChanges: boolean,
  urls: [string, string],
): QuestionView {
  const image = (slot: 0 | 1): ImageView => ({ url: urls[slot], alt: hiddenAlt(slot) });
  return {
    sessionId: round.sessionId,
    round: round.round,
    number: round.number,
    totalRounds: round.totalRounds,
    category,
    question: round.pair.question,
    options: { A: round.pair.options.A, B: round.pair.options.B },
    images: [image(0), image(1)],
    startedAt: round.startedAt,
    deadline: round.deadline,
    allowChanges,
  };
}

/** The question as shown at its reveal: the same images, now described by their captions. */
export function revealedQuestion(question: QuestionView, reveal: RoundReveal): QuestionView {
  return {
    ...question,
    images: [
      { url: question.images[0].url, alt: revealedAlt(0, reveal.images[0].caption) },
      { url: question.images[1].url, alt: revealedAlt(1, reveal.images[1].caption) },
    ],
  };
}

const FASTEST = 5;

export function revealView(reveal: RoundReveal): RevealView {
  const image = (slot: 0 | 1) => {
    const i = reveal.images[slot];
    return {
      correct: i.correct,
      correctText: i.correctText,
      caption: i.caption.trim(),
      sourceUrl: i.sourceUrl,
      picks: { A: i.picks.A, B: i.picks.B },
      answered: i.answered,
      right: i.right,
      rightShare: i.rightShare,
    };
  };
  return {
    images: [image(0), image(1)],
    people: { ...reveal.people },
    models: reveal.models.map((m) =>
      m.status === 'answered'
        ? {
            modelId: m.modelId,
            status: 'answered',
            chosen: [m.score.chosen[0], m.score.chosen[1]],
            correct: [m.score.correct[0], m.score.correct[1]],
            setCorrect: m.score.setCorrect,
            confused: m.score.confused,
            confidence: [m.confidence?.[0] ?? null, m.confidence?.[1] ?? null],
            reason: null,
          }
        : {
            modelId: m.modelId,
            status: m.status,
            chosen: [null, null],
            correct: [false, false],
            setCorrect: false,
            confused: false,
            confidence: [null, null],
            reason: m.status === 'failed' ? m.reason : webModelPending(m.code),
          },
    ),
    // persons is sorted fastest complete answer first.
    fastest: reveal.persons
      .filter((p) => p.score.setCorrect && p.responseMs !== null)
      .slice(0, FASTEST)
      .map((p) => ({ displayName: p.displayName, seconds: Math.round((p.responseMs ?? 0) / 100) / 10 })),
    closedBy: reveal.closedBy,
  };
}

export function playerResult(reveal: RoundReveal, userId: string): PlayerView['result'] {
  const person = reveal.persons.find((p) => p.userId === userId);
  if (person === undefined) return null;
  return {
    correct: [person.score.correct[0], person.score.correct[1]],
    setCorrect: person.score.setCorrect,
    confused: person.score.confused,
  };
}

function seriesView(tally: Tally, kind: SeriesView['kind']): SeriesView {
  return {
    who: tally.who,
    kind,
    pairs: tally.pairs,
    rows: tally.rows.map((r) => ({
      category: r.category,
      n: r.n,
      setAccuracy: r.setAccuracy,
      setLow: r.setInterval.low,
      setHigh: r.setInterval.high,
      individualAccuracy: r.individualAccuracy,
      individualLow: r.individualInterval.low,
      individualHigh: r.individualInterval.high,
      confusion: r.confusion,
      invalid: r.invalid,
    })),
  };
}

export function comparisonView(comparison: Comparison): ComparisonView {
  return {
    categories: comparison.people.rows.map((r) => r.category),
    series: [
      seriesView(comparison.people, 'people'),
      ...comparison.models.map((m) => seriesView(m, 'model')),
    ],
    chance: { ...comparison.chance },
  };
}

const STANDINGS = 10;

export function summaryView(summary: SessionSummary): SummaryView {
  return {
    sessionId: summary.sessionId,
    endReason: summary.endReason,
    roundsPlayed: summary.roundsPlayed,
    participants: summary.participants.length,
    standings: summary.participants.slice(0, STANDINGS).map((p) => ({
      rank: p.rank,
      displayName: p.displayName,
      pairsAnswered: p.pairsAnswered,
      setCorrect: p.setCorrect,
      imagesCorrect: p.imagesCorrect,
      setAccuracy: p.setAccuracy,
      individualAccuracy: p.individualAccuracy,
    })),
    comparison: comparisonView(summary.comparison),
  };
}

/** A participant's running score in a session, from its summary (rounds counts revealed rounds). */
export function playerScore(summary: SessionSummary | null, userId: string): PlayerView['score'] {
  const me = summary?.participants.find((p) => p.userId === userId);
  return {
    rounds: summary?.roundsPlayed ?? 0,
    setCorrect: me?.setCorrect ?? 0,
    imagesCorrect: me?.imagesCorrect ?? 0,
    rank: me?.rank ?? null,
  };
}
