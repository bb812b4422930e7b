import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RunningBot } from '../../src/bot/run.js';
import type { FakeMessage, FakeUser } from '../support/fake-discord/index.js';
import { type QuizWorld, startQuizWorld } from './harness.js';
import { channelPosts, press, waitForReveal, waitForRoundMessage } from './quiz-support.js';

/**
 * Two hosts pressing the same button of the same question at the same moment (the starter and a member
 * who manages the server): the buttons carry the session and round, the engine takes the first press and
 * refuses the second as stale, so the quiz moves on exactly once and the slower host is told privately.
 */

let world: QuizWorld;
let running: RunningBot;
let starter: FakeUser;
let admin: FakeUser;

beforeEach(async () => {
  world = await startQuizWorld();
  running = await world.startBot({ tuning: { revealPauseMs: null } });
  starter = world.fake.addUser({ username: 'dr.lee', globalName: 'Dr Lee' });
  admin = world.fake.addUser({ username: 'admin', permissions: PermissionFlagsBits.ManageGuild });
  const sent = world.fake.dispatchSlashCommand(starter, {
    name: 'quiz',
    subcommand: 'start',
    options: { rounds: 3, seconds: 600 },
  });
  await world.fake.waitForReply(sent.id);
});
afterEach(async () => {
  await world?.close();
});

const roundMessages = (round: number) =>
  channelPosts(world.fake).filter((m) => m.attachments.some((a) => a.filename === `round-${round}.jpg`));
const reveals = () => channelPosts(world.fake).filter((m) => m.embeds[0]?.title?.startsWith('Answers'));

/** Both hosts press `label` on `message` back to back; resolves with the slower one's private note. */
async function pressTogether(message: FakeMessage, label: string): Promise<FakeMessage> {
  const ids = [press(world.fake, starter, message, label).id, press(world.fake, admin, message, label).id];
  return world.fake.waitUntil(
    () =>
      [...world.fake.world.messages.values()].find(
        (m) => m.interactionId !== null && ids.includes(m.interactionId) && m.flags & MessageFlags.Ephemeral,
      ),
    'a private note to one of the two hosts',
  );
}

describe('two hosts pressing at once on Discord', () => {
  it.each(['Next', 'Skip'])('two %s presses advance exactly one round', async (label) => {
    const round1 = await waitForRoundMessage(world.fake, 1);
    const note = await pressTogether(round1, label);
    expect(note.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(note.content).toContain('moved on');
    await waitForRoundMessage(world.fake, 2);
    expect(running.engine.session(world.fake.channelId)?.round).toMatchObject({ round: 2, state: 'open' });
    expect(roundMessages(2)).toHaveLength(1);
    expect(roundMessages(3)).toHaveLength(0);
    // Next reveals question 1 on the way (once); Skip reveals nothing.
    expect(reveals()).toHaveLength(label === 'Next' ? 1 : 0);
  });

  it('two Next presses on a reveal open exactly the next question', async () => {
    const round1 = await waitForRoundMessage(world.fake, 1);
    press(world.fake, starter, round1, 'Reveal');
    const reveal = await waitForReveal(world.fake, 1);
    const note = await pressTogether(reveal, 'Next question');
    expect(note.content).toContain('moved on');
    await waitForRoundMessage(world.fake, 2);
    expect(running.engine.session(world.fake.channelId)?.round).toMatchObject({ round: 2, number: 2 });
    expect(roundMessages(3)).toHaveLength(0);
  });

  it('two Reveal presses reveal once, and the slower host hears it was already revealed', async () => {
    const round1 = await waitForRoundMessage(world.fake, 1);
    const note = await pressTogether(round1, 'Reveal');
    expect(note.content).toContain('already been revealed');
    await waitForReveal(world.fake, 1);
    expect(reveals()).toHaveLength(1);
    expect(running.engine.session(world.fake.channelId)?.round).toMatchObject({
      round: 1,
      state: 'revealed',
    });
  });
});
