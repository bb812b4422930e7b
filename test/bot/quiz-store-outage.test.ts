import { MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { roundMessages } from '../../src/bot/quiz-round-messages.js';
import { type RunningBot, runBot } from '../../src/bot/run.js';
import { COMMANDS } from '../../src/commands/index.js';
import { QuizEngine } from '../../src/quiz/engine.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import { findServerBackends } from '../store/support/backends.js';
import { startTcpProxy, type TcpProxy } from '../store/support/tcp-proxy.js';
import type { FakeUser } from '../support/fake-discord/index.js';
import { modelSource, type QuizWorld, startQuizWorld } from './harness.js';
import { channelPosts, press, waitForReveal, waitForRoundMessage } from './quiz-support.js';

/**
 * The store goes away (Redis behind a relay that the test cuts) while the host reveals a question: the
 * host is told privately that it did not go through, the question stays open and is not shown as skipped,
 * and once the store is back the same button reveals it.
 */

const redis = (await findServerBackends()).find((b) => b.backend === 'redis');

describe.skipIf(redis?.url === undefined)('a store outage during a reveal', () => {
  let world: QuizWorld;
  let proxy: TcpProxy;
  let store: Store;
  let engine: QuizEngine;
  let running: RunningBot;
  let host: FakeUser;

  beforeAll(async () => {
    if (redis === undefined) throw new Error('no redis');
    world = await startQuizWorld();
    proxy = await startTcpProxy(redis.port);
    store = await openStore(redis.urlVia(proxy.port), { log: world.logs.log });
    const models = modelSource();
    // Not recovered: the shared Redis may hold other test runs' sessions, which are not this bot's.
    engine = new QuizEngine({ store, set: world.pairSet, models, log: world.logs.log });
    running = await runBot({
      discordConfig: world.config,
      commands: COMMANDS,
      log: world.logs.log,
      store,
      set: world.pairSet,
      models,
      tuning: { revealPauseMs: null },
      shared: { engine, recovery: { resumed: [], revealed: [], ended: [] } },
    });
    host = world.fake.addUser({ username: 'dr.lee', globalName: 'Dr Lee' });
  });
  afterAll(async () => {
    await running?.stop();
    engine?.close();
    await store?.close();
    await proxy?.stop();
    await world?.close();
  });

  it('tells the host the reveal failed, keeps the question open, and reveals it once the store is back', async () => {
    const sent = world.fake.dispatchSlashCommand(host, {
      name: 'quiz',
      subcommand: 'start',
      options: { rounds: 2, seconds: 600 },
    });
    await world.fake.waitForReply(sent.id);
    const round1 = await waitForRoundMessage(world.fake, 1);
    // Cut only once the bot has noted the round message, so the outage hits the reveal and nothing else.
    await vi.waitFor(
      async () =>
        expect(await roundMessages(store).get(world.fake.channelId)).toMatchObject({ messageId: round1.id }),
      { timeout: 10_000, interval: 50 },
    );

    await proxy.stop();
    const pressed = press(world.fake, host, round1, 'Reveal');
    const note = await world.fake.waitForFollowUp(pressed.id);
    expect(note.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(note.content).toContain('did not go through');
    expect(note.content).toContain('store');
    // Not revealed, not skipped: the question is still open, its message untouched.
    expect(running.engine.session(world.fake.channelId)?.round).toMatchObject({ round: 1, state: 'open' });
    expect(world.fake.message(round1.id).content).not.toContain('skipped');
    expect(channelPosts(world.fake).some((m) => m.embeds[0]?.title?.startsWith('Answers'))).toBe(false);
    expect(world.logs.lines.some((l) => l.includes('quiz host action failed'))).toBe(true);

    proxy = await startTcpProxy(redis?.port ?? 0, proxy.port);
    // The client reconnects with a back-off of its own (at most two seconds).
    await vi.waitFor(async () => expect(await store.collection('probe').has('x')).toBe(false), {
      timeout: 15_000,
      interval: 200,
    });
    press(world.fake, host, round1, 'Reveal');
    const reveal = await waitForReveal(world.fake, 1);
    expect(reveal.embeds[0]?.description).toContain('nobody answered');
    const sessionId = running.engine.session(world.fake.channelId)?.sessionId ?? '';
    await running.engine.stop(world.fake.channelId, { kind: 'system' }, { sessionId });
  });
});
