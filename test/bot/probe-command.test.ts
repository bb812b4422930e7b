import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { InteractionResponseType, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModelsFile } from '../../src/adapters/models-file.js';
import { deployCommands } from '../../src/app/deploy-commands.js';
import { type Bot, createBot } from '../../src/bot/client.js';
import { APOLOGY } from '../../src/bot/interaction-router.js';
import { DiscordQuiz } from '../../src/bot/quiz-front-end.js';
import { COMMANDS } from '../../src/commands/index.js';
import { type LiveProbeConfig, loadDiscordConfig } from '../../src/config.js';
import type { ConfusingPair, PairSet } from '../../src/dataset/model.js';
import { LiveProbe } from '../../src/live/live-probe.js';
import { PairAsker } from '../../src/probe/ask-pair.js';
import { probeStores } from '../../src/probe/stores.js';
import { QuizEngine } from '../../src/quiz/engine.js';
import { InMemoryModelAnswers } from '../../src/quiz/model-answers.js';
import { openStore } from '../../src/store/index.js';
import type { Store } from '../../src/store/types.js';
import type { FakeDiscord, FakeUser } from '../support/fake-discord/index.js';
import { startFakeDiscord } from '../support/fake-discord/index.js';
import { type FakeServer, start as startFakeOpenAI } from '../support/fake-openai.js';
import { makeOfficialDataDir } from '../support/placeholder-images.js';
import { current } from '../support/quiz-round.js';
import { captureLogs, discordEnv, type LogCapture, loadTeachingSet } from './harness.js';

/**
 * `/probe` end to end: the real discord.js client against the fake Discord, asking models served by a fake
 * OpenAI-compatible server on 127.0.0.1, with the budget in a real SQLite store.
 */

/** 2026-03-14 15:00 UTC: the bots' clock, so the budget's reset time is known. */
const NOW = Date.UTC(2026, 2, 14, 15);
const NEXT_MIDNIGHT_S = Date.UTC(2026, 2, 15) / 1000;

interface ProbeWorld {
  fake: FakeDiscord;
  models: FakeServer;
  bot: Bot;
  /** The quiz engine the bot's quiz front end runs on (rounds are opened on it directly). */
  engine: QuizEngine;
  logs: LogCapture;
  pairSet: PairSet;
  /** The model's reply per image hash; "A" otherwise. */
  replies: Map<string, string>;
  shaOf(pair: ConfusingPair, slot: 0 | 1): string;
  pair(id: string): ConfusingPair;
  requestsTo(modelId: string): number;
  close(): Promise<void>;
}

async function startProbeWorld(limits: LiveProbeConfig): Promise<ProbeWorld> {
  const dir = await mkdtemp(path.join(tmpdir(), 'probe-command-'));
  const dataDir = await makeOfficialDataDir(dir);
  const pairSet = await loadTeachingSet(dataDir);
  const replies = new Map<string, string>();
  const models = await startFakeOpenAI({
    handler: (call) => {
      if (call.model === 'fake-broken') {
        return { kind: 'error', status: 400, message: 'The model `fake-broken` does not exist' };
      }
      const text = replies.get(call.images[0]?.sha256 ?? '') ?? 'A';
      return { kind: 'text', text, usage: { input: 1000, output: 10 } };
    },
  });
  const modelsFile = path.join(dir, 'models.yaml');
  await writeFile(
    modelsFile,
    [
      'models:',
      '  - id: gpt-live',
      '    provider: openai',
      '    model: fake-gpt',
      `    baseURL: ${models.url}`,
      '    apiKeyEnv: FAKE_KEY',
      '    live: true',
      '    price: { input: 2.5, output: 10 }',
      '  - id: broken',
      '    provider: openai',
      '    model: fake-broken',
      `    baseURL: ${models.url}`,
      '    apiKeyEnv: FAKE_KEY',
      '    live: true',
      '  - id: no-key',
      '    provider: openai',
      '    model: fake-no-key',
      `    baseURL: ${models.url}`,
      '    apiKeyEnv: NO_SUCH_KEY',
      '    live: true',
      '  - id: offline-only',
      '    provider: openai',
      '    model: fake-offline',
      `    baseURL: ${models.url}`,
      '    apiKeyEnv: FAKE_KEY',
      '',
    ].join('\n'),
  );
  const store: Store = await openStore(`sqlite://${path.join(dir, 'store.sqlite')}`);
  const logs = captureLogs();
  const asker = new PairAsker({
    models: await loadModelsFile(modelsFile),
    env: { FAKE_KEY: 'sk-fake-live' },
    stores: probeStores(store),
    set: pairSet,
    dataDir,
    log: logs.log,
  });
  const liveProbe = new LiveProbe({ asker, store, limits, clock: { now: () => NOW } });

  const fake = await startFakeDiscord();
  const config = loadDiscordConfig(discordEnv(fake));
  await deployCommands({ config, commands: COMMANDS, log: logs.log });
  const quizModels = new InMemoryModelAnswers();
  const engine = new QuizEngine({ store, set: pairSet, models: quizModels, log: logs.log });
  const quiz = new DiscordQuiz({ engine, models: quizModels, store, set: pairSet, log: logs.log });
  const bot = createBot(config, { log: logs.log, pairSet, liveProbe, quiz, commands: COMMANDS });
  await bot.start();

  const sha = new Map<string, string>();
  const shaOf = (pair: ConfusingPair, slot: 0 | 1) => {
    const found = sha.get(pair.images[slot].localId);
    if (found === undefined) throw new Error(`no hash for image ${pair.images[slot].localId}`);
    return found;
  };
  for (const pair of pairSet.pairs) {
    for (const image of pair.images) {
      const bytes = await readFile(path.join(dataDir, 'images', `${image.localId}.jpg`));
      sha.set(image.localId, createHash('sha256').update(bytes).digest('hex'));
    }
  }
  return {
    fake,
    models,
    bot,
    engine,
    logs,
    pairSet,
    replies,
    shaOf,
    pair(id) {
      const pair = pairSet.pairs.find((p) => p.id === id);
      if (!pair) throw new Error(`no pair ${id}`);
      return pair;
    },
    requestsTo: (modelId) => models.requests.filter((r) => r.call?.model === `fake-${modelId}`).length,
    async close() {
      await bot.stop();
      engine.close();
      await fake.close();
      await models.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

describe('/probe', () => {
  let w: ProbeWorld;
  let users = 0;
  /** A new member per test, so that one test's cooldown never meets another's question. */
  const member = (): FakeUser => {
    users += 1;
    return w.fake.addUser({ username: `student${users}` });
  };

  beforeAll(async () => {
    w = await startProbeWorld({ cooldownSeconds: 30, dailyRequests: 1000, dailyCostUsd: 100 });
  });
  afterAll(async () => {
    await w?.close();
  });

  it('defers in the channel, then shows raw replies, parsed options and right or wrong per image', async () => {
    const pair = w.pair('10001');
    const [first, second] = pair.images;
    w.replies.set(w.shaOf(pair, 0), `${first.correct}.`);
    w.replies.set(w.shaOf(pair, 1), `The answer is ${second.correct}`);
    const sent = w.fake.dispatchSlashCommand(member(), {
      name: 'probe',
      options: { model: 'gpt-live', pair: '10001' },
    });
    const callback = await w.fake.waitForCallback(sent.id);
    expect(callback.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    const reply = await w.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(0);
    expect(reply.content).toContain('Live probe: `gpt-live` on pair 10001');
    expect(reply.content).toContain(pair.question);
    expect(reply.content).toContain(`\`\`\`\n${first.correct}.\n\`\`\``);
    expect(reply.content).toContain(`\`\`\`\nThe answer is ${second.correct}\n\`\`\``);
    expect(reply.content).toContain(`Parsed: **${first.correct}**`);
    expect(reply.content).toContain(`Parsed: **${second.correct}**`);
    expect(reply.content.match(/✓ right/g)).toHaveLength(2);
    expect(reply.content).toContain('Both right');
    expect(reply.content).not.toContain('Confused');
  });

  it('shows a confused banner when the model gives both images the same option', async () => {
    const pair = w.pair('10002');
    w.replies.set(w.shaOf(pair, 0), 'A');
    w.replies.set(w.shaOf(pair, 1), 'A');
    const sent = w.fake.dispatchSlashCommand(member(), {
      name: 'probe',
      options: { model: 'gpt-live', pair: '10002' },
    });
    const reply = await w.fake.waitForReply(sent.id);
    expect(reply.content).toContain('**Confused!** The model chose **A** for both images');
    expect(reply.content).toContain('✗ wrong');
  });

  it('shows a reply the parser cannot read as no clear choice', async () => {
    const pair = w.pair('10004');
    w.replies.set(w.shaOf(pair, 0), 'A or B');
    w.replies.set(w.shaOf(pair, 1), pair.images[1].correct);
    const sent = w.fake.dispatchSlashCommand(member(), {
      name: 'probe',
      options: { model: 'gpt-live', pair: '10004' },
    });
    const reply = await w.fake.waitForReply(sent.id);
    expect(reply.content).toContain('```\nA or B\n```');
    expect(reply.content).toContain('Parsed: no clear choice (the reply names both options) → ✗ wrong');
    expect(reply.content).not.toContain('Confused');
  });

  it('shows the requests sent and their cost from the models file price', async () => {
    const sent = w.fake.dispatchSlashCommand(member(), {
      name: 'probe',
      options: { model: 'gpt-live', pair: '10005' },
    });
    const reply = await w.fake.waitForReply(sent.id);
    // Per image 1000 input tokens at $2.50 and 10 output tokens at $10 per million.
    expect(reply.content).toContain('2 requests · cost $0.00520');
    expect(reply.content).toMatch(/Reply \((\d+ ms|\d+\.\d s)\)/);
  });

  it('asks the model afresh each time, both images', async () => {
    const before = w.requestsTo('gpt');
    const sent = w.fake.dispatchSlashCommand(member(), {
      name: 'probe',
      options: { model: 'gpt-live', pair: '10001' },
    });
    await w.fake.waitForReply(sent.id);
    expect(w.requestsTo('gpt')).toBe(before + 2);
  });

  it('picks a random pair when none is given', async () => {
    const sent = w.fake.dispatchSlashCommand(member(), { name: 'probe', options: { model: 'gpt-live' } });
    const reply = await w.fake.waitForReply(sent.id);
    const id = /on pair (\S+)\*\*/.exec(reply.content)?.[1];
    expect(w.pairSet.pairs.map((p) => p.id)).toContain(id);
  });

  it('explains a model error politely in the channel, without an apology for a bug', async () => {
    const sent = w.fake.dispatchSlashCommand(member(), {
      name: 'probe',
      options: { model: 'broken', pair: '10001' },
    });
    const reply = await w.fake.waitForReply(sent.id);
    expect(reply.content).toContain('⚠️ The model could not answer this one');
    expect(reply.content).toContain('does not exist');
    expect(reply.content).toContain('No answer from the model this time');
    expect(reply.content).not.toContain(APOLOGY);
    expect(reply.content).not.toContain('sk-fake-live');
    expect(w.logs.entries().filter((e) => e.level === 50)).toEqual([]);
  });

  it('says in the deferred reply what is missing when the model cannot be set up', async () => {
    const student = member();
    const sent = w.fake.dispatchSlashCommand(student, {
      name: 'probe',
      options: { model: 'no-key', pair: '10001' },
    });
    const reply = await w.fake.waitForReply(sent.id);
    expect(reply.content).toBe(
      'I could not ask `no-key` about pair 10001: Model "no-key" needs the environment variable NO_SUCH_KEY (apiKeyEnv in the models file), but it is not set.',
    );
    expect(w.requestsTo('no-key')).toBe(0);
  });

  it('asks a member to wait before a second question, saying when', async () => {
    const student = member();
    const first = w.fake.dispatchSlashCommand(student, {
      name: 'probe',
      options: { model: 'gpt-live', pair: '10006' },
    });
    await w.fake.waitForReply(first.id);
    const before = w.requestsTo('gpt');
    const second = w.fake.dispatchSlashCommand(student, {
      name: 'probe',
      options: { model: 'gpt-live', pair: '10007' },
    });
    const reply = await w.fake.waitForReply(second.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain(`you can ask your next live question <t:${NOW / 1000 + 30}:R>`);
    expect(w.requestsTo('gpt')).toBe(before);
  });

  it('refuses a model that is not offered live, naming the live ones', async () => {
    const sent = w.fake.dispatchSlashCommand(member(), {
      name: 'probe',
      options: { model: 'offline-only', pair: '10001' },
    });
    const reply = await w.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toBe(
      'The model "offline-only" is not offered for live questions. Live models: gpt-live, broken, no-key.',
    );
    expect(w.requestsTo('offline')).toBe(0);
  });

  it('answers an unknown pair id with a friendly note', async () => {
    const sent = w.fake.dispatchSlashCommand(member(), {
      name: 'probe',
      options: { model: 'gpt-live', pair: '99999' },
    });
    const reply = await w.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain('There is no pair "99999"');
  });

  it('suggests the live models of the models file', async () => {
    const sent = w.fake.dispatchAutocomplete(member(), {
      name: 'probe',
      options: { model: '' },
      focused: 'model',
    });
    const callback = await w.fake.waitForCallback(sent.id);
    const choices = (callback.data?.choices ?? []) as { name: string; value: string }[];
    expect(choices.map((c) => c.value)).toEqual(['gpt-live', 'broken', 'no-key']);
  });

  it('suggests pair ids in the pair option', async () => {
    const sent = w.fake.dispatchAutocomplete(member(), {
      name: 'probe',
      options: { model: 'gpt-live', pair: '1001' },
      focused: 'pair',
    });
    const callback = await w.fake.waitForCallback(sent.id);
    const choices = (callback.data?.choices ?? []) as { name: string; value: string }[];
    expect(choices.map((c) => c.value)).toContain('10010');
  });

  it('keeps a pair a quiz round in the channel is asking about until its reveal', async () => {
    const started = await w.engine.start({ roomId: w.fake.channelId, hostUserId: '1', rounds: 2 });
    const pairId = started.round.pair.id;
    const before = w.requestsTo('gpt');
    const early = w.fake.dispatchSlashCommand(member(), {
      name: 'probe',
      options: { model: 'gpt-live', pair: pairId },
    });
    const refused = await w.fake.waitForReply(early.id);
    expect(refused.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(refused.content).toContain(`A quiz round on this server is asking about pair ${pairId} right now`);
    expect(w.requestsTo('gpt')).toBe(before);

    await w.engine.reveal(w.fake.channelId, { kind: 'system' }, current(w.engine, w.fake.channelId));
    const late = w.fake.dispatchSlashCommand(member(), {
      name: 'probe',
      options: { model: 'gpt-live', pair: pairId },
    });
    expect((await w.fake.waitForReply(late.id)).content).toContain(
      `Live probe: \`gpt-live\` on pair ${pairId}`,
    );
    await w.engine.stop(w.fake.channelId, { kind: 'system' }, current(w.engine, w.fake.channelId));
  });

  it('keeps a pair secret while a round in another channel of the server asks it, for /probe and /pair', async () => {
    const otherChannel = '900000000000000123';
    const started = await w.engine.start({
      roomId: otherChannel,
      guildId: w.fake.guildId,
      hostUserId: '1',
      rounds: 2,
    });
    const pairId = started.round.pair.id;
    const before = w.requestsTo('gpt');
    const probe = w.fake.dispatchSlashCommand(member(), {
      name: 'probe',
      options: { model: 'gpt-live', pair: pairId },
    });
    expect((await w.fake.waitForReply(probe.id)).content).toContain(
      `A quiz round on this server is asking about pair ${pairId} right now`,
    );
    expect(w.requestsTo('gpt')).toBe(before);
    const lookup = w.fake.dispatchSlashCommand(member(), {
      name: 'pair',
      options: { id: pairId, private: true },
    });
    const refused = await w.fake.waitForReply(lookup.id);
    expect(refused.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(refused.content).toContain(`A quiz round on this server is asking about pair ${pairId} right now`);
    expect(refused.embeds).toEqual([]);

    await w.engine.reveal(otherChannel, { kind: 'system' }, current(w.engine, otherChannel));
    const after = w.fake.dispatchSlashCommand(member(), {
      name: 'pair',
      options: { id: pairId, private: true },
    });
    expect((await w.fake.waitForReply(after.id)).content).toContain(`Pair ${pairId}`);
    await w.engine.stop(otherChannel, { kind: 'system' }, current(w.engine, otherChannel));
  });

  it('sends only bodies that match Discord’s published schema', () => {
    expect(w.fake.schemaViolations()).toEqual([]);
  });
});

describe('/probe with a tiny daily budget', () => {
  let w: ProbeWorld;
  beforeAll(async () => {
    w = await startProbeWorld({ cooldownSeconds: 30, dailyRequests: 2, dailyCostUsd: 100 });
  });
  afterAll(async () => {
    await w?.close();
  });

  it('lets only as many questions through as the budget holds, even when asked at the same moment', async () => {
    const asked = ['first', 'second'].map((username) =>
      w.fake.dispatchSlashCommand(w.fake.addUser({ username }), {
        name: 'probe',
        options: { model: 'gpt-live', pair: '10001' },
      }),
    );
    const replies = await Promise.all(asked.map((sent) => w.fake.waitForReply(sent.id)));
    expect(replies.filter((r) => r.content.includes('Live probe'))).toHaveLength(1);
    expect(w.requestsTo('gpt')).toBe(2);
  });

  it('refuses once the server has used its budget, saying when it resets', async () => {
    const sent = w.fake.dispatchSlashCommand(w.fake.addUser({ username: 'third' }), {
      name: 'probe',
      options: { model: 'gpt-live', pair: '10002' },
    });
    const reply = await w.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toBe(
      "This server's live-question budget for today is used up (2 of 2 model requests). " +
        `The budget resets at midnight UTC, <t:${NEXT_MIDNIGHT_S}:R> (<t:${NEXT_MIDNIGHT_S}:t> your time).`,
    );
    expect(w.requestsTo('gpt')).toBe(2);
  });
});
