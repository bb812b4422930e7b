import { afterEach, describe, expect, it } from 'vitest';
import { deployCommands } from '../../src/app/deploy-commands.js';
import { COMMANDS } from '../../src/commands/index.js';
import { loadDiscordConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { buttonId } from '../bot/quiz-support.js';
import { findServerBackends } from '../store/support/backends.js';
import {
  type FakeDiscord,
  type FakeGuild,
  type FakeMessage,
  type FakeUser,
  startFakeDiscord,
} from '../support/fake-discord/index.js';
import {
  type IsolatedStore,
  isolatedStore,
  isReveal,
  isRoundMessage,
  postsIn,
  type StartedProcess,
  startCli,
  waitForPostIn,
} from './support.js';

/**
 * `mediconfusion start --shards 2` on Redis and on PostgreSQL: two shard processes under discord.js's
 * ShardingManager, a quiz in a guild on each. One shard process is killed with SIGKILL (no cleanup); the
 * manager starts it again, and its quiz resumes with every answer acknowledged before the kill, while the
 * other shard's quiz never notices. Forget-me asked on one shard clears the person from both shards' open
 * rounds; `/stats` asked on either shard reads the same store.
 */

const PEOPLE = 4;
const found = await findServerBackends();
const servers = found.filter((s) => s.url !== undefined);
// A server that does not answer shows as a skipped test named after it, never as a silent pass.
for (const missing of found.filter((s) => s.url === undefined)) {
  it.skip(`${missing.backend} at ${missing.address} is not reachable`, () => {});
}

let fake: FakeDiscord | null = null;
let app: StartedProcess | null = null;
let store: IsolatedStore | null = null;

afterEach(async () => {
  await app?.cleanUp();
  app = null;
  await fake?.close();
  fake = null;
  await store?.drop();
  store = null;
});

/** Presses the button labelled `label` on `message` as `user`, in `guild`. */
function press(discord: FakeDiscord, user: FakeUser, message: FakeMessage, label: string, guild: FakeGuild) {
  return discord.dispatchButton(user, buttonId(message, label), message, { guild });
}

for (const [index, server] of servers.entries()) {
  describe(`two shards on ${server.backend}`, () => {
    it('respawns a killed shard, whose quiz resumes with every acknowledged answer; the other never notices', async () => {
      store = await isolatedStore(server, 14 + index);
      fake = await startFakeDiscord({
        defaultGuild: { shardOf: [0, 2] },
        recommendedShards: 2,
        // Lets the manager start both shards at once instead of 5.5 s apart.
        maxConcurrency: 16,
        waitTimeoutMs: 90_000,
      });
      const discord = fake;
      const guildA = discord.guild;
      const guildB = discord.addGuild({ shardOf: [1, 2] });
      await deployCommands({
        config: loadDiscordConfig({
          DISCORD_TOKEN: discord.token,
          DISCORD_CLIENT_ID: discord.applicationId,
          DISCORD_API_BASE: discord.apiBase,
        }),
        commands: COMMANDS,
        log: createLogger({ level: 'silent' }),
      });

      app = await startCli(
        ['start', '--demo', '--no-fetch', '--port', '0', '--shards', 'auto'],
        discord,
        store.url,
        {
          QUIZ_LEASE_SECONDS: '2',
        },
      );
      const manager = app;
      await manager.waitForLine(
        (l) => l.msg === 'Discord bot connected as shard processes',
        'both shards ready',
      );
      const firstPids = new Map(
        manager.lines().flatMap((l) => (l.msg === 'discord shard process started' ? [[l.shard, l.pid]] : [])),
      );
      expect([...firstPids.keys()].sort()).toEqual([0, 1]);

      // A quiz in each guild; the same people are members of both.
      const hostA = discord.addUser({ username: 'host-a', guild: guildA });
      const hostB = discord.addUser({ username: 'host-b', guild: guildB });
      const peopleA = Array.from({ length: PEOPLE }, (_, i) =>
        discord.addUser({ username: `p${i}`, guild: guildA }),
      );
      const peopleB = peopleA.map((p, i) =>
        discord.addUser({ id: p.user.id, username: `p${i}`, guild: guildB }),
      );
      for (const [host, guild] of [
        [hostA, guildA],
        [hostB, guildB],
      ] as const) {
        const sent = discord.dispatchSlashCommand(
          host,
          { name: 'quiz', subcommand: 'start', options: { rounds: 2, seconds: 600 } },
          { guild },
        );
        await discord.waitForReply(sent.id);
      }
      const roundA = await waitForPostIn(discord, guildA.channelId, isRoundMessage(1), 'question 1');
      const roundB = await waitForPostIn(discord, guildB.channelId, isRoundMessage(1), 'question 1');
      const clicks = [
        ...peopleA.flatMap((p) => [
          press(discord, p, roundA, 'Image 1 → A', guildA),
          press(discord, p, roundA, 'Image 2 → B', guildA),
        ]),
        ...peopleB.flatMap((p) => [
          press(discord, p, roundB, 'Image 1 → A', guildB),
          press(discord, p, roundB, 'Image 2 → B', guildB),
        ]),
      ];
      // Every click is acknowledged to its person before the kill.
      for (const click of clicks) await discord.waitForReply(click.id);
      const postsInA = postsIn(discord, guildA.channelId).length;

      // Shard 1 dies without any cleanup; the manager starts a new process for it.
      const killedPid = firstPids.get(1) as number;
      process.kill(killedPid, 'SIGKILL');
      await manager.waitForLine(
        (l) => l.msg === 'discord shard process started' && l.shard === 1 && l.pid !== killedPid,
        'shard 1 started again',
      );
      // It takes its guild's quiz over (once the dead process's lease has run out) and says so there.
      const note = await waitForPostIn(
        discord,
        guildB.channelId,
        (m) => m.content.includes('I restarted'),
        'the restart note',
      );
      expect(note.content).toContain('Question 1 is still open');
      // The new process recovered the session: at start-up if the dead one's lease had run out by then,
      // or by its lease keeper as soon as it does.
      const resumed = await manager.waitForLine(
        (l) =>
          l.shard === 1 &&
          (l.msg === 'took over a quiz session whose process stopped renewing its lease' ||
            (l.msg === 'quiz sessions recovered' && l.resumed === 1)),
        'shard 1 resuming its quiz',
      );
      expect(resumed.time).toBeGreaterThan(
        manager.lines().find((l) => l.msg?.startsWith('discord shard process stopped'))?.time as number,
      );

      // Forget-me asked on shard 0 reaches shard 1's memory too: the person leaves both open rounds.
      const forgotten = peopleA[0] as FakeUser;
      const ask = discord.dispatchSlashCommand(forgotten, { name: 'forget-me' }, { guild: guildA });
      const confirm = await discord.waitForReply(ask.id);
      const yes = discord.dispatchButton(forgotten, buttonId(confirm, 'Delete everything'), confirm, {
        guild: guildA,
      });
      await discord.waitForCallback(yes.id);
      const done = await discord.waitUntil(() => {
        const m = discord.message(confirm.id);
        return m.content.includes('deleted') ? m : undefined;
      }, 'the forget-me report');
      expect(done.content).toContain('- quiz answers: 4');
      const answered = PEOPLE - 1;

      const revealB = discord.dispatchButton(hostB, buttonId(roundB, 'Reveal'), discord.message(roundB.id), {
        guild: guildB,
      });
      await discord.waitForCallback(revealB.id);
      const shownB = await waitForPostIn(discord, guildB.channelId, isReveal(1), 'the reveal');
      expect(shownB.embeds[0]?.description).toContain(`${answered} answered`);

      // Shard 0's quiz: nothing was posted in its channel meanwhile, and it reveals as if nothing happened.
      expect(postsIn(discord, guildA.channelId)).toHaveLength(postsInA);
      const revealA = press(discord, hostA, discord.message(roundA.id), 'Reveal', guildA);
      await discord.waitForCallback(revealA.id);
      const shownA = await waitForPostIn(discord, guildA.channelId, isReveal(1), 'the reveal');
      expect(shownA.embeds[0]?.description).toContain(`${answered} answered`);
      expect(postsIn(discord, guildA.channelId).some((m) => m.content.includes('restarted'))).toBe(false);
      expect(
        manager.lines().filter((l) => l.msg === 'discord shard process started' && l.shard === 0),
      ).toHaveLength(1);

      // The same person's statistics, asked on each shard, come from the one store.
      const statsA = discord.dispatchSlashCommand(
        peopleA[0] as FakeUser,
        { name: 'stats', options: { scope: 'me' } },
        { guild: guildA },
      );
      const statsB = discord.dispatchSlashCommand(
        peopleB[0] as FakeUser,
        { name: 'stats', options: { scope: 'me' } },
        { guild: guildB },
      );
      const [replyA, replyB] = await Promise.all([
        discord.waitForReply(statsA.id),
        discord.waitForReply(statsB.id),
      ]);
      expect(replyA.embeds.length).toBeGreaterThan(0);
      expect(replyB.embeds).toEqual(replyA.embeds);
      expect(JSON.stringify(replyA.embeds)).toContain('2');
      expect(discord.schemaViolations()).toEqual([]);
    }, 240_000);
  });
}
