import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { BaselineService } from '../../src/baseline/service.js';
import { baselineCollections } from '../../src/baseline/store-layout.js';
import { DiscordBaseline } from '../../src/bot/baseline-front-end.js';
import { pairTokenOf } from '../../src/bot/baseline-ids.js';
import type { ConfusingPair, ImageSlot, Option } from '../../src/dataset/model.js';
import type { InMemoryModelAnswers } from '../../src/quiz/model-answers.js';
import { seededRandom } from '../../src/random.js';
import { openStore } from '../../src/store/open-store.js';
import type { Store } from '../../src/store/types.js';
import type {
  FakeMessage,
  FakeUser,
  SentInteraction,
  SlashCommandSpec,
} from '../support/fake-discord/index.js';
import { oracleAndAlwaysA } from '../support/reveal-models.js';
import { type BotHarness, startBot } from './harness.js';

export const SECRET = 'discord-baseline-test-secret-0123456789';

export interface BaselineBot extends BotHarness {
  store: Store;
  storeUrl: string;
  service: BaselineService;
  baseline: DiscordBaseline;
  models: InMemoryModelAnswers;
}

/**
 * The real bot on a fake Discord with the private baseline on a SQLite store in a temp folder. Two models
 * answer every pair: `oracle` (always right) and `always-a`, so a reveal has something to show. With
 * `pairs`, the baseline uses only the first pairs of the set.
 */
export async function startBaselineBot(
  options: { env?: Record<string, string>; pairs?: number } = {},
): Promise<BaselineBot> {
  const storeDir = await mkdtemp(path.join(tmpdir(), 'baseline-bot-'));
  const storeUrl = `sqlite://${path.join(storeDir, 'store.sqlite')}`;
  let store: Store | undefined;
  let service: BaselineService | undefined;
  let baseline: DiscordBaseline | undefined;
  const models = oracleAndAlwaysA();
  const h = await startBot({
    ...(options.env ? { env: options.env } : {}),
    deps: async ({ pairSet: full, log }) => {
      // A few pairs make every participant meet the same ones.
      const pairSet =
        options.pairs === undefined ? full : { ...full, pairs: full.pairs.slice(0, options.pairs) };
      store = await openStore(storeUrl, { log });
      service = new BaselineService({
        store,
        set: pairSet,
        secret: SECRET,
        log,
        random: seededRandom(11),
        models: { source: models, ids: ['oracle', 'always-a'] },
      });
      baseline = new DiscordBaseline({ service, store, set: pairSet, secret: SECRET, log });
      return { baseline };
    },
  });
  if (store === undefined || service === undefined || baseline === undefined)
    throw new Error('deps not made');
  const opened = store;
  return {
    ...h,
    store: opened,
    storeUrl,
    service,
    baseline,
    models,
    async close() {
      await h.close();
      await opened.close();
      await rm(storeDir, { recursive: true, force: true });
      await rm(h.dataDir, { recursive: true, force: true });
    },
  };
}

/** Webhook requests (edits of the original, follow-ups) the bot made with an interaction's token. */
function webhookCalls(h: BotHarness, sent: SentInteraction) {
  return h.fake.requests.filter(
    (r) => r.path.includes(`/webhooks/${h.fake.applicationId}/${sent.token}`) && r.status < 300,
  );
}

/** Waits until the bot has answered `sent` with its callback and then `count` webhook edits or follow-ups. */
export async function settled(h: BotHarness, sent: SentInteraction, count: number): Promise<void> {
  await h.fake.waitForCallback(sent.id);
  await h.fake.waitUntil(
    () => (webhookCalls(h, sent).length >= count ? true : undefined),
    `${count} webhook call(s) for interaction ${sent.id}`,
  );
}

export async function slash(h: BotHarness, user: FakeUser, spec: SlashCommandSpec): Promise<FakeMessage> {
  const sent = h.fake.dispatchSlashCommand(user, spec);
  return h.fake.waitForReply(sent.id);
}

/** The custom ids of a message's buttons, row by row, with their labels and whether they are disabled. */
export function buttonsOf(
  message: FakeMessage,
): Array<{ id: string; label: string; disabled: boolean; style: number }> {
  const rows = message.components as Array<{
    components: Array<{ custom_id?: string; label?: string; disabled?: boolean; style: number }>;
  }>;
  return rows.flatMap((row) =>
    row.components.map((c) => ({
      id: c.custom_id ?? '',
      label: c.label ?? '',
      disabled: c.disabled ?? false,
      style: c.style,
    })),
  );
}

export function buttonId(message: FakeMessage, label: string): string {
  const found = buttonsOf(message).find((b) => b.label === label);
  if (found === undefined) {
    throw new Error(
      `no button "${label}" on message: ${buttonsOf(message)
        .map((b) => b.label)
        .join(', ')}`,
    );
  }
  return found.id;
}

/** Everything a participant can see in a message, for "nothing before its time" checks. */
export function visibleText(message: FakeMessage): string {
  return JSON.stringify({
    content: message.content,
    embeds: message.embeds,
    components: message.components,
    files: message.attachments.map((a) => [a.filename, a.description]),
  });
}

/** The option that is right (or wrong) for an image. */
export function optionFor(pair: ConfusingPair, slot: ImageSlot, right: boolean): Option {
  const correct = pair.images[slot].correct;
  return right ? correct : correct === 'A' ? 'B' : 'A';
}

/** The pair a pair message shows, found through the token its answer buttons carry (it names no pair id). */
export function pairShown(h: BotHarness, message: FakeMessage): ConfusingPair {
  const answer = buttonsOf(message).find((b) => b.id.startsWith('baseline-answer:'));
  const token = answer?.id.split(':')[1];
  const pair = h.pairSet.pairs.find((p) => pairTokenOf(h.pairSet.name, p.id) === token);
  if (pair === undefined) throw new Error(`no pair behind the buttons of: ${message.content.slice(0, 80)}`);
  expect(message.content).toContain(pair.options.A.slice(0, 40));
  return pair;
}

/** How many records each baseline collection holds. */
export async function baselineCounts(store: Store): Promise<Record<string, number>> {
  const db = baselineCollections(store);
  const counts: Record<string, number> = {};
  for (const [name, collection] of Object.entries(db)) {
    let n = 0;
    for await (const _ of (collection as { entries(): AsyncIterable<unknown> }).entries()) n++;
    counts[name] = n;
  }
  return counts;
}

/**
 * One pair through the bot as a participant would: `/baseline` (accepting the notice when it comes), then
 * image 1 and image 2, right or wrong as asked. Resolves with the pair and the message holding its reveal.
 */
export async function playOnePair(
  h: BotHarness,
  user: FakeUser,
  right: [boolean, boolean] = [true, true],
): Promise<{ pair: ConfusingPair; reveal: FakeMessage }> {
  let message = await slash(h, user, { name: 'baseline' });
  if (message.embeds.length > 0) {
    const accept = h.fake.dispatchButton(user, buttonId(message, 'I agree, start'), message);
    await settled(h, accept, 1);
    message = h.fake.message(message.id);
  }
  const pair = pairShown(h, message);
  for (const slot of [0, 1] as const) {
    const current = h.fake.message(message.id);
    const sent = h.fake.dispatchButton(
      user,
      buttonId(current, `Image ${slot + 1} → ${optionFor(pair, slot, right[slot])}`),
      current,
    );
    await settled(h, sent, 1);
  }
  return { pair, reveal: h.fake.message(message.id) };
}
