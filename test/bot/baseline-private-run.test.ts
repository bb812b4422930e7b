import { MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_NOTICE } from '../../src/baseline/consent.js';
import { baselineCollections, participantPrefix } from '../../src/baseline/store-layout.js';
import { pairTokenOf } from '../../src/bot/baseline-ids.js';
import { PAIR_FILE_NAME, STOPPED_TEXT } from '../../src/bot/baseline-messages.js';
import { UNKNOWN_COMPONENT } from '../../src/bot/interaction-router.js';
import type { ConfusingPair } from '../../src/dataset/model.js';
import type { FakeMessage, FakeUser } from '../support/fake-discord/index.js';
import { snowflakeTime } from '../support/fake-discord/snowflake.js';
import {
  type BaselineBot,
  buttonId,
  buttonsOf,
  optionFor,
  pairShown,
  settled,
  slash,
  startBaselineBot,
  visibleText,
} from './baseline-support.js';

const PAIRS_EACH = 20;

/** What a message may not show before both images of its pair are answered. */
function expectNothingRevealed(message: FakeMessage, pair: ConfusingPair): void {
  const text = visibleText(message);
  expect(message.embeds).toEqual([]);
  for (const secret of ['oracle', 'always-a', 'People', 'people:', 'Answers ·', 'confused', '✅', '❌']) {
    expect(text).not.toContain(secret);
  }
  // A caption may begin with an option's words; a part of it beyond them would give the image away.
  for (const caption of pair.images.map((i) => i.caption.trim())) {
    const part = caption.slice(30, 90);
    if (part.length < 30 || pair.options.A.includes(part) || pair.options.B.includes(part)) continue;
    expect(text).not.toContain(part);
  }
  // Unanswered images' buttons look alike: nothing in a style or id tells the right option.
  for (const b of buttonsOf(message).filter((b) => b.id.startsWith('baseline-answer:') && !b.disabled)) {
    expect(b.style).toBe(1);
  }
}

describe('a private baseline run of 20 pairs by 3 participants on Discord', () => {
  let h: BaselineBot;
  const people: FakeUser[] = [];
  const seen = new Map<string, string[]>();
  let firstShown: FakeMessage | null = null;
  let firstClick: { id: string } | null = null;

  beforeAll(async () => {
    h = await startBaselineBot();
    for (const name of ['ana', 'ben', 'chen']) people.push(h.fake.addUser({ username: name }));

    // The three take turns, one pair each, as people answering at once in their own ephemeral messages.
    const current = new Map<string, FakeMessage>();
    for (const user of people) {
      const notice = await slash(h, user, { name: 'baseline' });
      const accept = h.fake.dispatchButton(user, buttonId(notice, CONSENT_NOTICE.acceptLabel), notice);
      await settled(h, accept, 1);
      current.set(user.user.id, h.fake.message(notice.id));
      seen.set(user.user.id, []);
    }
    for (let round = 0; round < PAIRS_EACH; round++) {
      for (const [index, user] of people.entries()) {
        const message = current.get(user.user.id) as FakeMessage;
        expect(message.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
        expect(message.attachments.map((a) => a.filename)).toEqual([PAIR_FILE_NAME]);
        const pair = pairShown(h, message);
        seen.get(user.user.id)?.push(pair.id);
        expectNothingRevealed(message, pair);

        const right = (round + index) % 3 !== 0;
        const before = structuredClone(message);
        const first = h.fake.dispatchButton(
          user,
          buttonId(message, `Image 1 → ${optionFor(pair, 0, right)}`),
          message,
        );
        await settled(h, first, 1);
        if (round === 0 && index === 0) {
          firstShown = before;
          firstClick = first;
        }
        const half = h.fake.message(message.id);
        expect(half.content).toContain(`Image 1: you chose **${optionFor(pair, 0, right)}**`);
        expect(half.content).toContain('Now image 2.');
        expectNothingRevealed(half, pair);

        const second = h.fake.dispatchButton(
          user,
          buttonId(half, `Image 2 → ${optionFor(pair, 1, right)}`),
          half,
        );
        await settled(h, second, 1);
        const reveal = h.fake.message(message.id);
        expect(reveal.embeds[0]?.title).toBe(`Answers · pair ${pair.id}`);
        expect(reveal.embeds[0]?.description).toContain('oracle');
        expect(reveal.embeds[0]?.description).toContain('**People:**');
        expect(reveal.embeds[0]?.description).toContain(`**Image 1 → ${pair.images[0].correct}:**`);
        expect(reveal.attachments.map((a) => a.filename)).toEqual([PAIR_FILE_NAME]);

        const next = h.fake.dispatchButton(user, buttonId(reveal, 'Next pair'), reveal);
        await settled(h, next, 2);
        expect(h.fake.message(message.id).components).toEqual([]);
        const followUpId = h.fake.interaction(next.id).followUpIds[0] as string;
        current.set(user.user.id, h.fake.message(followUpId));
      }
    }
  }, 180_000);

  afterAll(async () => {
    await h?.close();
  });

  it('shows each participant 20 different pairs', () => {
    for (const user of people) {
      const ids = seen.get(user.user.id) ?? [];
      expect(ids).toHaveLength(PAIRS_EACH);
      expect(new Set(ids).size).toBe(PAIRS_EACH);
    }
  });

  it('stores both images of every pair answered, under pseudonyms only', async () => {
    const db = baselineCollections(h.store);
    for (const user of people) {
      const participant = h.service.pseudonymOf(user.user.id);
      expect(participant).not.toContain(user.user.id);
      const mine = [];
      for await (const [, record] of db.answers.entries(participantPrefix(participant))) mine.push(record);
      expect(mine).toHaveLength(PAIRS_EACH * 2);
      expect(new Set(mine.map((r) => r.pairId))).toEqual(new Set(seen.get(user.user.id)));
    }
    const raw = JSON.stringify(await collect(db.answers.entries()));
    for (const user of people) expect(raw).not.toContain(user.user.id);
  });

  it('measures the response time from when the pair appeared to the click, on Discord’s clock', async () => {
    if (firstShown === null || firstClick === null) throw new Error('the run did not record its first click');
    const shownAt = Date.parse(firstShown.editedAt ?? firstShown.createdAt);
    const clickedAt = snowflakeTime(firstClick.id).getTime();
    const pair = pairShown(h, firstShown);
    const participant = h.service.pseudonymOf((people[0] as FakeUser).user.id);
    const records = await collect(
      baselineCollections(h.store).answers.entries(participantPrefix(participant)),
    );
    const record = records.find((r) => r.pairId === pair.id && r.slot === 0);
    expect(record?.responseMs).toBe(clickedAt - shownAt);
  });

  it('sent nothing Discord would refuse', () => {
    expect(h.fake.schemaViolations()).toEqual([]);
  });

  it('refuses to change an answer given, politely and privately', async () => {
    const user = people[0] as FakeUser;
    const pairId = seen.get(user.user.id)?.[0] as string;
    const pair = h.pairSet.pairs.find((p) => p.id === pairId) as ConfusingPair;
    const token = pairTokenOf(h.pairSet.name, pairId);
    const stored = await answersOf(h, user);
    const given = stored.find((r) => r.pairId === pair.id && r.slot === 0)?.option;
    const other = given === 'A' ? 'B' : 'A';
    const same = h.fake.dispatchButton(user, `baseline-answer:${token}:1:${given}`);
    await settled(h, same, 1);
    expect(h.fake.interaction(same.id).followUpIds).toEqual([]);
    const sentOther = h.fake.dispatchButton(user, `baseline-answer:${token}:1:${other}`);
    const note = await h.fake.waitForFollowUp(sentOther.id);
    expect(note.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(note.content).toMatch(/already answered image 1|already answered pair/);
    expect(await answersOf(h, user)).toEqual(stored);
  });

  it('refuses a button of a pair that was never shown to the participant', async () => {
    const user = people[1] as FakeUser;
    const shownIds = new Set(seen.get(user.user.id));
    const unshown = h.pairSet.pairs.find((p) => !shownIds.has(p.id)) as ConfusingPair;
    const stored = await answersOf(h, user);
    const sent = h.fake.dispatchButton(
      user,
      `baseline-answer:${pairTokenOf(h.pairSet.name, unshown.id)}:1:A`,
    );
    const note = await h.fake.waitForFollowUp(sent.id);
    expect(note.content).toContain('not the pair you were shown');
    expect(await answersOf(h, user)).toEqual(stored);
  });

  it('answers a button of another question set, or a forged one, with a polite note', async () => {
    const user = people[2] as FakeUser;
    const stale = h.fake.dispatchButton(user, 'baseline-answer:0123456789ab:2:B');
    expect((await h.fake.waitForReply(stale.id)).content).toContain('no longer counts');
    const forged = h.fake.dispatchButton(user, 'baseline-answer:10001:3:C');
    expect((await h.fake.waitForReply(forged.id)).content).toBe(UNKNOWN_COMPONENT);
  });

  it('stops on Stop, and /baseline then shows the same unfinished pair with its first choice', async () => {
    const user = people[2] as FakeUser;
    const shownNow = await slash(h, user, { name: 'baseline' });
    const pair = pairShown(h, shownNow);
    const first = h.fake.dispatchButton(user, buttonId(shownNow, 'Image 1 → A'), shownNow);
    await settled(h, first, 1);
    const stop = h.fake.dispatchButton(
      user,
      buttonId(h.fake.message(shownNow.id), 'Stop'),
      h.fake.message(shownNow.id),
    );
    await h.fake.waitForCallback(stop.id);
    expect(h.fake.message(shownNow.id).content).toBe(STOPPED_TEXT);
    expect(h.fake.message(shownNow.id).attachments).toEqual([]);

    const again = await slash(h, user, { name: 'baseline' });
    expect(pairShown(h, again).id).toBe(pair.id);
    expect(again.content).toContain('Image 1: you chose **A**');
    const image1 = buttonsOf(again).filter((b) => b.label.startsWith('Image 1'));
    expect(image1.every((b) => b.disabled)).toBe(true);
  });
});

async function collect<T>(entries: AsyncIterable<[string, T]>): Promise<T[]> {
  const out: T[] = [];
  for await (const [, value] of entries) out.push(value);
  return out;
}

async function answersOf(h: BaselineBot, user: FakeUser) {
  const participant = h.service.pseudonymOf(user.user.id);
  return collect(baselineCollections(h.store).answers.entries(participantPrefix(participant)));
}
