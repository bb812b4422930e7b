import { afterEach, describe, expect, it } from 'vitest';
import { chartAttachment, SUMMARY_CHART_FILE, summaryChartInput } from '../../src/bot/result-charts.js';
import type { RunningBot } from '../../src/bot/run.js';
import { renderCategoryChart } from '../../src/charts/index.js';
import { loadOfficialSetStrict } from '../../src/dataset/official.js';
import { compare } from '../../src/quiz/tallies.js';
import { scorePair } from '../../src/scoring/pair-score.js';
import type { FakeUser } from '../support/fake-discord/index.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';
import { expectChartImage, playQuiz } from './chart-support.js';
import { captureLogs, type QuizWorld, startQuizWorld } from './harness.js';
import { waitForRoundMessage, waitForSummary } from './quiz-support.js';

/** The end-of-quiz summary carries the chart of people against each model on the session's pairs. */

let world: QuizWorld | undefined;
let running: RunningBot;
let host: FakeUser;
let ana: FakeUser;
let ben: FakeUser;

async function setUp(): Promise<QuizWorld> {
  const started = await startQuizWorld();
  world = started;
  running = await started.startBot({
    models: { 'always-a': { ok: true, chosen: ['A', 'A'], raw: ['A', 'A'] } },
    tuning: { revealPauseMs: null },
  });
  host = started.fake.addUser({ username: 'dr.lee', globalName: 'Dr Lee' });
  ana = started.fake.addUser({ username: 'ana', globalName: 'Ana' });
  ben = started.fake.addUser({ username: 'ben', globalName: 'Ben' });
  return started;
}

afterEach(async () => {
  await world?.close();
  world = undefined;
});

describe('the session summary chart', () => {
  it('attaches the chart of the session’s pairs to the summary, its alt text as description', async () => {
    const w = await setUp();
    const started = playQuiz(
      w.fake,
      running,
      host,
      3,
      [
        { user: ana, right: [true, true, true] },
        { user: ben, right: [false, true, false] },
      ],
      { models: 'always-a' },
    );
    await waitForRoundMessage(w.fake, 1);
    const sessionId = running.engine.session(w.fake.channelId)?.sessionId ?? '';
    await started;
    const message = await waitForSummary(w.fake);
    expect(message.attachments.map((a) => a.filename)).toEqual([SUMMARY_CHART_FILE]);
    const attachment = message.attachments[0] as (typeof message.attachments)[number];
    await expectChartImage(attachment);

    const summary = await running.engine.summary(sessionId);
    expect(summary.roundsPlayed).toBe(3);
    const expected = await renderCategoryChart(summaryChartInput(summary));
    expect(attachment.bytes.equals(expected.png)).toBe(true);
    expect(attachment.description).toBe(expected.alt);
    const all = summary.comparison.people.rows.find((r) => r.category === 'All');
    expect(expected.alt).toContain(`People: `);
    expect(expected.alt).toContain(`All ${Math.round(all?.setAccuracy ?? -1)}%`);
    expect(expected.alt).toContain('always-a: ');
    // The tables are still there, beside the chart.
    expect(message.embeds.map((e) => e.title)).toEqual([
      '🏁 Quiz results',
      'People vs models on these questions',
    ]);
    expect(w.fake.schemaViolations()).toEqual([]);
  });

  it('charts only the categories of the pairs played, All last', async () => {
    const w = await setUp();
    const started = playQuiz(w.fake, running, host, 1, [{ user: ana, right: [true] }]);
    await waitForRoundMessage(w.fake, 1);
    const session = running.engine.session(w.fake.channelId);
    const pair = session?.round?.pair;
    if (!session || !pair) throw new Error('no round');
    await started;
    await waitForSummary(w.fake);
    const input = summaryChartInput(await running.engine.summary(session.sessionId));
    const played = [...new Set([...pair.images[0].categories, ...pair.images[1].categories])];
    expect(input.categories.slice(0, -1).sort()).toEqual(played.sort());
    expect(input.categories.at(-1)).toBe('All');
  });

  it('sends the summary without a chart when no question was revealed', async () => {
    const w = await setUp();
    const start = w.fake.dispatchSlashCommand(host, {
      name: 'quiz',
      subcommand: 'start',
      options: { rounds: 2 },
    });
    await w.fake.waitForReply(start.id);
    await waitForRoundMessage(w.fake, 1);
    const stop = w.fake.dispatchSlashCommand(host, { name: 'quiz', subcommand: 'stop' });
    await w.fake.waitForReply(stop.id);
    const message = await waitForSummary(w.fake);
    expect(message.embeds[0]?.description).toContain('The host stopped the quiz');
    expect(message.attachments).toEqual([]);
  });
});

describe('chartAttachment', () => {
  it('gives no attachment, and logs the error, when the chart cannot be drawn', async () => {
    const logs = captureLogs();
    const summary = { ...(await fakeSummaryInput()), categories: ['Cerebral', 'Cerebral'] };
    expect(await chartAttachment(summary, SUMMARY_CHART_FILE, logs.log)).toBeNull();
    const entry = logs.entries().find((e) => e.level === 50);
    expect(entry?.msg).toContain('sending the message without it');
    expect(JSON.stringify(entry?.err)).toContain('categories must be unique');
  });

  it('keeps a model called "People" apart from the people', async () => {
    const input = await fakeSummaryInput('People');
    expect(input.series.map((s) => [s.name, s.kind])).toEqual([
      ['People', 'people'],
      ['People (model)', 'model'],
    ]);
    const attachment = await chartAttachment(input, SUMMARY_CHART_FILE, captureLogs().log);
    expect(attachment?.description).toContain('People (model): ');
  });
});

/** A summary's chart input from the engine's own tallies: one person and one model on two pairs. */
async function fakeSummaryInput(modelId = 'always-a') {
  const set = await loadOfficialSetStrict(SHARED_DATASET_DIR);
  const pairs = set.pairs.slice(0, 2);
  const people = pairs.map((pair) => ({ pair, score: scorePair(pair, [pair.images[0].correct, 'A']) }));
  const model = pairs.map((pair) => ({ pair, score: scorePair(pair, ['A', 'A']) }));
  const comparison = compare(set, people, new Map([[modelId, model]]));
  return summaryChartInput({
    sessionId: 's',
    roomId: 'r',
    guildId: null,
    status: 'ended',
    endReason: 'completed',
    roundsPlayed: 2,
    pairIds: pairs.map((p) => p.id),
    participants: [],
    podium: [],
    comparison,
  });
}
