import { InteractionResponseType, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATS_CHART_FILE, statsChartInput } from '../../src/bot/result-charts.js';
import type { RunningBot } from '../../src/bot/run.js';
import { ALT_TEXT_LIMIT, renderCategoryChart } from '../../src/charts/index.js';
import type { FakeUser } from '../support/fake-discord/index.js';
import { expectChartImage, playQuiz } from './chart-support.js';
import { type QuizWorld, startQuizWorld } from './harness.js';

/** /stats attaches the people-vs-models chart to its table: Ana gets both questions right, Ben one. */

describe('/stats chart', () => {
  let world: QuizWorld;
  let running: RunningBot;
  let host: FakeUser;
  let ana: FakeUser;
  let ben: FakeUser;

  beforeAll(async () => {
    world = await startQuizWorld();
    running = await world.startBot({
      models: { 'always-b': { ok: true, chosen: ['B', 'B'], raw: ['B', 'B'] } },
      tuning: { revealPauseMs: null },
    });
    host = world.fake.addUser({ username: 'dr.lee', globalName: 'Dr Lee' });
    ana = world.fake.addUser({ username: 'ana', globalName: 'Ana' });
    ben = world.fake.addUser({ username: 'ben', globalName: 'Ben' });
  });
  afterAll(async () => {
    await world?.close();
  });

  it('attaches no chart while nothing has been revealed', async () => {
    const sent = world.fake.dispatchSlashCommand(host, { name: 'stats' });
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.embeds[0]?.description).toContain('No revealed quiz questions here yet');
    expect(reply.attachments).toEqual([]);
  });

  it('plays a quiz to have something to chart', async () => {
    await playQuiz(
      world.fake,
      running,
      host,
      2,
      [
        { user: ana, right: [true, true] },
        { user: ben, right: [true, false] },
      ],
      { models: 'always-b' },
    );
    const stats = await running.engine.stats({ kind: 'guild', guildId: world.fake.guildId });
    expect(stats.rounds).toBe(2);
  });

  it('defers at once, then replies with the table and the chart as stats.png', async () => {
    const sent = world.fake.dispatchSlashCommand(host, { name: 'stats' });
    const callback = await world.fake.waitForCallback(sent.id);
    expect(callback.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.embeds[0]?.fields?.map((f) => f.name)).toContain('All categories');
    expect(reply.attachments.map((a) => a.filename)).toEqual([STATS_CHART_FILE]);
    await expectChartImage(reply.attachments[0] as (typeof reply.attachments)[number]);
  });

  it('draws exactly the scope’s numbers, and describes every bar in the attachment’s alt text', async () => {
    const sent = world.fake.dispatchSlashCommand(host, { name: 'stats' });
    const reply = await world.fake.waitForReply(sent.id);
    const stats = await running.engine.stats({ kind: 'guild', guildId: world.fake.guildId });
    const expected = await renderCategoryChart(statsChartInput(stats, null));
    const attachment = reply.attachments[0];
    expect(attachment?.bytes.equals(expected.png)).toBe(true);
    expect(attachment?.description).toBe(expected.alt);
    expect(expected.alt.length).toBeLessThanOrEqual(ALT_TEXT_LIMIT);
    const all = stats.comparison.people.rows.find((r) => r.category === 'All');
    expect(expected.alt).toContain(`People: `);
    expect(expected.alt).toContain(`All ${Math.round(all?.setAccuracy ?? -1)}%`);
    expect(expected.alt).toContain('always-b: ');
    expect(expected.alt).toContain('chance is 25%');
  });

  it('charts only the category asked for', async () => {
    const stats = await running.engine.stats({ kind: 'guild', guildId: world.fake.guildId });
    const row = stats.comparison.people.rows.find((r) => r.category !== 'All' && r.n > 0);
    if (!row) throw new Error('no category was played');
    const sent = world.fake.dispatchSlashCommand(host, {
      name: 'stats',
      options: { category: row.category.toLowerCase() },
    });
    const reply = await world.fake.waitForReply(sent.id);
    const input = statsChartInput(stats, row.category);
    expect(input.categories).toEqual([row.category]);
    expect(reply.attachments[0]?.description).toBe((await renderCategoryChart(input)).alt);
    expect(reply.attachments[0]?.description).not.toContain('All ');
  });

  it('attaches the chart of your own answers to the private reply for scope me', async () => {
    const sent = world.fake.dispatchSlashCommand(ben, { name: 'stats', options: { scope: 'me' } });
    const reply = await world.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    const stats = await running.engine.stats({ kind: 'user', userId: ben.user.id });
    const expected = await renderCategoryChart(statsChartInput(stats, null));
    expect(reply.attachments.map((a) => a.filename)).toEqual([STATS_CHART_FILE]);
    expect(reply.attachments[0]?.bytes.equals(expected.png)).toBe(true);
    expect(expected.alt).toContain('People vs models · you');
  });

  it('sends only bodies that match Discord’s published schema, uploads included', () => {
    expect(world.fake.schemaViolations()).toEqual([]);
    const uploads = world.fake.requests.filter((r) => r.files.some((f) => f.filename === STATS_CHART_FILE));
    expect(uploads.length).toBeGreaterThan(0);
    for (const upload of uploads) expect(upload.schemaErrors).toEqual([]);
  });
});
