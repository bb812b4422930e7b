import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { APIButtonComponent } from 'discord.js';
import { type RoundMessageRecord, roundMessages } from '../../src/bot/quiz-round-messages.js';
import type { ConfusingPair, ImageSlot, Option } from '../../src/dataset/model.js';
import { createLogger } from '../../src/logger.js';
import {
  type AnswerRecord,
  answerRecordSchema,
  type SessionRecord,
  sessionRecordSchema,
} from '../../src/quiz/records.js';
import { openStore } from '../../src/store/open-store.js';
import type { FakeDiscord, FakeMessage, FakeUser, SentInteraction } from '../support/fake-discord/index.js';
import { ROOT } from '../support/paths.js';
import { discordEnv, type QuizBotOptions, type QuizWorld } from './harness.js';

/** Helpers for quiz tests: finding the bot's channel messages and pressing their buttons like a member. */

export interface ShownButton {
  label: string;
  customId: string;
  disabled: boolean;
}

export function buttonsOf(message: FakeMessage): ShownButton[] {
  const rows = message.components as { components?: APIButtonComponent[] }[];
  return rows.flatMap((row) =>
    (row.components ?? []).flatMap((b) =>
      'custom_id' in b
        ? [{ label: b.label ?? '', customId: b.custom_id, disabled: b.disabled ?? false }]
        : [],
    ),
  );
}

export function buttonId(message: FakeMessage, label: string): string {
  const found = buttonsOf(message).find((b) => b.label === label);
  if (!found) throw new Error(`message ${message.id} has no button "${label}"`);
  return found.customId;
}

/** Presses the button labelled `label` on `message`, as `user`. */
export function press(
  fake: FakeDiscord,
  user: FakeUser,
  message: FakeMessage,
  label: string,
): SentInteraction {
  return fake.dispatchButton(user, buttonId(message, label), message);
}

/** Messages the bot posted in the channel itself (not interaction replies), oldest first. */
export function channelPosts(fake: FakeDiscord): FakeMessage[] {
  return [...fake.world.messages.values()].filter((m) => m.interactionId === null && m.author.bot);
}

export function waitForPost(
  fake: FakeDiscord,
  predicate: (message: FakeMessage) => boolean,
  what: string,
): Promise<FakeMessage> {
  return fake.waitUntil(() => channelPosts(fake).find(predicate), what);
}

export function waitForRoundMessage(fake: FakeDiscord, round: number): Promise<FakeMessage> {
  return waitForPost(
    fake,
    (m) => m.attachments.some((a) => a.filename === `round-${round}.jpg`),
    `the message of round ${round}`,
  );
}

export function waitForReveal(fake: FakeDiscord, number: number): Promise<FakeMessage> {
  return waitForPost(
    fake,
    (m) => m.embeds.some((e) => e.title?.startsWith(`Answers · question ${number} `)),
    `the reveal of question ${number}`,
  );
}

export function waitForSummary(fake: FakeDiscord): Promise<FakeMessage> {
  return waitForPost(fake, (m) => m.embeds.some((e) => e.title === '🏁 Quiz results'), 'the summary');
}

/** The option that answers image `slot` of `pair` right (or wrong). */
export function optionFor(pair: ConfusingPair, slot: ImageSlot, right: boolean): Option {
  const correct = pair.images[slot].correct;
  return right ? correct : correct === 'A' ? 'B' : 'A';
}

/** Everything a member can see of a message, as one string, to look for leaked answers. */
export function visibleJson(message: FakeMessage): string {
  return JSON.stringify({
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    attachments: message.attachments.map((a) => ({ filename: a.filename, description: a.description })),
  });
}

export interface ChildBot {
  child: ChildProcess;
  exited: Promise<{ code: number | null; signal: string | null }>;
  output: () => string;
}

/** Runs the bot in its own process (test/bot/quiz-bot-process.ts) and resolves once it is connected. */
export async function spawnQuizBot(
  world: QuizWorld,
  options: Omit<QuizBotOptions, 'clock'>,
): Promise<ChildBot> {
  const settings = { ...options, dataDir: world.dataDir, storeUrl: world.storeUrl };
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(ROOT, 'test', 'bot', 'quiz-bot-process.ts')],
    {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        ...discordEnv(world.fake),
        QUIZ_BOT_CHILD: JSON.stringify(settings),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const chunks: Buffer[] = [];
  child.stderr?.on('data', (c: Buffer) => chunks.push(c));
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const output = () => Buffer.concat(chunks).toString('utf8');
  await new Promise<void>((resolve, reject) => {
    let seen = '';
    child.stdout?.on('data', (c: Buffer) => {
      seen += c.toString('utf8');
      if (seen.includes('ready\n')) resolve();
    });
    void exited.then(({ code, signal }) =>
      reject(new Error(`the bot process exited early (${code ?? signal}):\n${output()}`)),
    );
  });
  return { child, exited, output };
}

/** Every answer click stored so far (the engine's `quiz.answers`), read on a connection of its own. */
export async function storedAnswers(world: QuizWorld): Promise<AnswerRecord[]> {
  const store = await openStore(world.storeUrl, { log: createLogger({ level: 'silent' }) });
  try {
    const answers: AnswerRecord[] = [];
    for await (const [, record] of store.collection('quiz.answers', answerRecordSchema).entries()) {
      answers.push(record);
    }
    return answers;
  } finally {
    await store.close();
  }
}

/** The quiz sessions stored so far (`quiz.sessions`), read on a connection of its own. */
export async function storedSessions(world: QuizWorld): Promise<SessionRecord[]> {
  const store = await openStore(world.storeUrl, { log: createLogger({ level: 'silent' }) });
  try {
    const sessions: SessionRecord[] = [];
    for await (const [, record] of store.collection('quiz.sessions', sessionRecordSchema).entries()) {
      sessions.push(record);
    }
    return sessions;
  } finally {
    await store.close();
  }
}

/** A clock running `offsetMs` ahead of the real one (set before the bot starts), to reach a deadline at once. */
export class ShiftedClock {
  offsetMs = 0;
  now(): number {
    return Date.now() + this.offsetMs;
  }
}

/** Waits until the bot has stored which messages show a channel's round (`discord.rounds`) as `predicate` wants. */
export async function waitForRoundRecord(
  world: QuizWorld,
  predicate: (record: RoundMessageRecord) => boolean,
): Promise<RoundMessageRecord> {
  const store = await openStore(world.storeUrl, { log: createLogger({ level: 'silent' }) });
  try {
    const records = roundMessages(store);
    const deadline = Date.now() + 10_000;
    for (;;) {
      const record = await records.get(world.fake.channelId);
      if (record !== undefined && predicate(record)) return record;
      if (Date.now() > deadline)
        throw new Error(`discord.rounds never matched; last: ${JSON.stringify(record)}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await store.close();
  }
}
