import { afterEach, describe, expect, it } from 'vitest';
import { deployCommands } from '../../src/app/deploy-commands.js';
import { COMMANDS } from '../../src/commands/index.js';
import { loadDiscordConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { leaseStateSchema } from '../../src/store/leases.js';
import { openStore } from '../../src/store/open-store.js';
import { buttonId } from '../bot/quiz-support.js';
import { findServerBackends } from '../store/support/backends.js';
import {
  type FakeDiscord,
  type FakeMessage,
  type FakeUser,
  type RecordedRequest,
  startFakeDiscord,
} from '../support/fake-discord/index.js';
import {
  type IsolatedStore,
  isolatedStore,
  isReveal,
  isRoundMessage,
  type StartedProcess,
  startCli,
  waitForPostIn,
} from './support.js';

/**
 * A second bot process started by mistake on the same store (and the same Discord shard, so it receives
 * every event the first one does) while a quiz runs: it posts nothing and reveals nothing, and the first
 * keeps the quiz. Once the first dies, the second takes the session over, but only after the dead
 * process's lease has expired, and with every answer the first acknowledged.
 */

const PEOPLE = 3;
const found = await findServerBackends();
const servers = found.filter((s) => s.url !== undefined);
// A server that does not answer shows as a skipped test named after it, never as a silent pass.
for (const missing of found.filter((s) => s.url === undefined)) {
  it.skip(`${missing.backend} at ${missing.address} is not reachable`, () => {});
}
const silent = createLogger({ level: 'silent' });

let fake: FakeDiscord | null = null;
const processes: StartedProcess[] = [];
let store: IsolatedStore | null = null;

afterEach(async () => {
  for (const p of processes.splice(0)) await p.cleanUp();
  await fake?.close();
  fake = null;
  await store?.drop();
  store = null;
});

/** What a process sent Discord other than reads: messages, edits, interaction answers. */
function writesBy(discord: FakeDiscord, pid: number | undefined): RecordedRequest[] {
  return discord.requests.filter((r) => r.method !== 'GET' && r.userAgent?.includes(`pid/${pid}`) === true);
}

function press(discord: FakeDiscord, user: FakeUser, message: FakeMessage, label: string) {
  return discord.dispatchButton(user, buttonId(message, label), message);
}

for (const [index, server] of servers.entries()) {
  describe(`a second process on the same ${server.backend} store`, () => {
    it('stays silent while the first runs the quiz, and takes it over only after its lease expired', async () => {
      store = await isolatedStore(server, 12 + index);
      fake = await startFakeDiscord({ waitTimeoutMs: 90_000 });
      const discord = fake;
      await deployCommands({
        config: loadDiscordConfig({
          DISCORD_TOKEN: discord.token,
          DISCORD_CLIENT_ID: discord.applicationId,
          DISCORD_API_BASE: discord.apiBase,
        }),
        commands: COMMANDS,
        log: silent,
      });
      // Long enough that a loaded machine never delays the live first process's renewal (every third of
      // it) past its lease: the takeover below must come from the kill alone.
      const env = { QUIZ_LEASE_SECONDS: '10' };
      const args = ['start', '--demo', '--no-fetch', '--port', '0'];
      const first = await startCli(args, discord, store.url, env);
      processes.push(first);
      await first.waitForLine((l) => l.msg === 'Discord bot connected', 'the first bot connected');

      const host = discord.addUser({ username: 'host' });
      const people = Array.from({ length: PEOPLE }, (_, i) => discord.addUser({ username: `p${i}` }));
      const started = discord.dispatchSlashCommand(host, {
        name: 'quiz',
        subcommand: 'start',
        options: { rounds: 2, seconds: 600 },
      });
      await discord.waitForReply(started.id);
      const round = await waitForPostIn(discord, discord.channelId, isRoundMessage(1), 'question 1');
      for (const person of people.slice(0, 2)) {
        for (const label of ['Image 1 → A', 'Image 2 → B']) {
          await discord.waitForReply(press(discord, person, round, label).id);
        }
      }

      // The second process joins the same store and the same shard.
      const second = await startCli(args, discord, store.url, env);
      processes.push(second);
      await second.waitForLine((l) => l.msg === 'Discord bot connected', 'the second bot connected');
      expect(discord.gateway.sessionsFor(0)).toBe(2);

      // A click now reaches both processes; only the first answers it.
      const late = people[2] as FakeUser;
      for (const label of ['Image 1 → A', 'Image 2 → B']) {
        const click = press(discord, late, round, label);
        expect(discord.recipientsOf(click.id)).toHaveLength(2);
        await discord.waitForReply(click.id);
      }
      expect(writesBy(discord, first.child.pid).length).toBeGreaterThan(0);
      expect(writesBy(discord, second.child.pid)).toEqual([]);

      // The first dies without a goodbye; its lease is left to run out.
      first.kill('SIGKILL');
      await first.exited;
      const reader = await openStore(store.url, { log: silent });
      const leases = [];
      for await (const entry of reader.collection('quiz.leases', leaseStateSchema).entries())
        leases.push(entry);
      await reader.close();
      expect(leases).toHaveLength(1);
      const [sessionId, abandoned] = leases[0] as [string, { owner: string; expiresAt: number }];
      expect(abandoned.owner).toContain(`:${first.child.pid}:`);

      const takeover = await second.waitForLine(
        (l) => l.msg === 'took over a quiz session whose process stopped renewing its lease',
        'the takeover',
      );
      expect(takeover.time as number).toBeGreaterThanOrEqual(abandoned.expiresAt);
      expect(takeover.sessionId).toBe(sessionId);
      const note = await waitForPostIn(
        discord,
        discord.channelId,
        (m) => m.content.includes('I restarted'),
        'the note',
      );
      expect(note.content).toContain('Question 1 is still open');

      const reveal = press(discord, host, discord.message(round.id), 'Reveal');
      await discord.waitForCallback(reveal.id);
      const shown = await waitForPostIn(discord, discord.channelId, isReveal(1), 'the reveal');
      expect(shown.embeds[0]?.description).toContain(`${PEOPLE} answered`);
      expect(writesBy(discord, second.child.pid).length).toBeGreaterThan(0);
      expect(discord.schemaViolations()).toEqual([]);
    }, 240_000);
  });
}
