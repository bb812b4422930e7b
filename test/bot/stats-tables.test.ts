import type { APIEmbed } from 'discord.js';
import { beforeAll, describe, expect, it } from 'vitest';
import { leaderboardEmbeds, statsEmbeds, summaryEmbeds } from '../../src/bot/quiz-tables.js';
import type { ConfusingPair, PairSet } from '../../src/dataset/model.js';
import type { ScopeStats } from '../../src/quiz/stats.js';
import type { SessionSummary } from '../../src/quiz/summary.js';
import { compare, type ScoredInstance } from '../../src/quiz/tallies.js';
import { scorePair } from '../../src/scoring/pair-score.js';
import { loadSet } from '../quiz/harness.js';

/** The result tables stay within Discord's embed limits however many models and people there are. */

function embedChars(embeds: APIEmbed[]): number {
  return embeds.reduce(
    (sum, e) =>
      sum +
      (e.title?.length ?? 0) +
      (e.description?.length ?? 0) +
      (e.footer?.text.length ?? 0) +
      (e.fields ?? []).reduce((s, f) => s + f.name.length + f.value.length, 0),
    0,
  );
}

function checkLimits(embeds: APIEmbed[]): void {
  expect(embedChars(embeds)).toBeLessThanOrEqual(6000);
  for (const embed of embeds) {
    expect(embed.description?.length ?? 0).toBeLessThanOrEqual(4096);
    expect(embed.fields?.length ?? 0).toBeLessThanOrEqual(25);
    for (const field of embed.fields ?? []) expect(field.value.length).toBeLessThanOrEqual(1024);
  }
}

let set: PairSet;
let instances: ScoredInstance[];
const models = [
  'claude-3-5-sonnet-20241022-long-name',
  'gpt-4o-2024-08-06',
  'gemini-1.5-pro-002',
  'llava-v1.6-34b',
  'random-guesser',
];

beforeAll(async () => {
  set = await loadSet();
  // Every pair answered once, alternately right and confused, so every category has rows.
  instances = set.pairs.map((pair: ConfusingPair, i) => ({
    pair,
    score: scorePair(pair, i % 2 === 0 ? [pair.images[0].correct, pair.images[1].correct] : ['A', 'A']),
  }));
});

describe('result tables', () => {
  it('/stats with five long-named models over every category stays within the limits', () => {
    const stats: ScopeStats = {
      scope: { kind: 'guild', guildId: '1' },
      sessions: 30,
      rounds: 176,
      people: 400,
      comparison: compare(set, instances, new Map(models.map((m) => [m, instances]))),
    };
    const embeds = statsEmbeds(stats, null);
    checkLimits(embeds);
    // Every category is either shown or named in the footer as left out.
    const names = (embeds[0]?.fields ?? []).map((f) => f.name);
    const footer = embeds[0]?.footer?.text ?? '';
    expect(names[0]).toBe('All categories');
    for (const category of set.categories) {
      expect(names.includes(category) || footer.includes(category)).toBe(true);
    }
    expect(embeds[0]?.fields?.[0]?.value).toContain('claude-3-5-sonnet…');
  });

  it('the session summary with 300 participants and five models stays within the limits', () => {
    const participants = Array.from({ length: 300 }, (_, i) => ({
      userId: String(i),
      displayName: `A rather long display name number ${i} \`with\` backticks`,
      rank: i + 1,
      pairsAnswered: 20,
      setCorrect: 20 - (i % 20),
      imagesCorrect: 40 - (i % 40),
      confused: i % 5,
      setAccuracy: 100 - (i % 20) * 5,
      individualAccuracy: 100 - (i % 40) * 2.5,
      totalResponseMs: 1000 * i,
    }));
    const summary: SessionSummary = {
      sessionId: 's',
      roomId: 'r',
      guildId: 'g',
      status: 'ended',
      endReason: 'completed',
      roundsPlayed: 20,
      pairIds: [],
      participants,
      podium: participants.slice(0, 3),
      comparison: compare(set, instances, new Map(models.map((m) => [m, instances]))),
    };
    const embeds = summaryEmbeds(summary);
    checkLimits(embeds);
    expect(embeds[0]?.description).toContain('… and 280 more');
    // A backtick in a name must not end the code block early.
    expect(embeds[0]?.description?.match(/```/g)).toHaveLength(2);
  });

  it('the leaderboard keeps accuracy apart from speed and within the limits', () => {
    const embeds = leaderboardEmbeds({
      scope: { kind: 'guild', guildId: '1' },
      category: null,
      minPairs: 10,
      belowMinimum: 3,
      entries: Array.from({ length: 15 }, (_, i) => ({
        rank: i + 1,
        userId: String(i),
        displayName: `Player ${i}`,
        pairs: 40,
        setCorrect: 30,
        setAccuracy: 75 - i,
        setInterval: { low: 60 - i, high: 85 - i },
        individualAccuracy: 88,
        confusion: 10,
      })),
    });
    checkLimits(embeds);
    expect(embeds[0]?.description).toContain('Speed never counts');
    expect(embeds[0]?.description).toContain('3 more people have answered fewer than 10 pairs');
  });
});
