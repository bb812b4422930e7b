import { parse } from 'csv-parse/sync';
import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_NOTICE } from '../../src/baseline/consent.js';
import { FORGET_CANCELLED } from '../../src/bot/baseline-messages.js';
import type { FakeUser } from '../support/fake-discord/index.js';
import {
  type BaselineBot,
  baselineCounts,
  buttonId,
  buttonsOf,
  playOnePair,
  settled,
  slash,
  startBaselineBot,
} from './baseline-support.js';

describe('/forget-me', () => {
  let h: BaselineBot;
  let ana: FakeUser;
  let ben: FakeUser;
  let chen: FakeUser;
  let revealBeforeForget = '';

  beforeAll(async () => {
    // One pair only, so everyone answers the same one and each appears in the others' tallies.
    h = await startBaselineBot({ pairs: 1 });
    ana = h.fake.addUser({ username: 'ana' });
    ben = h.fake.addUser({ username: 'ben' });
    chen = h.fake.addUser({ username: 'chen' });
    await playOnePair(h, ana, [true, true]);
    const { reveal } = await playOnePair(h, ben, [true, false]);
    revealBeforeForget = reveal.embeds[0]?.description ?? '';
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  it('asks to confirm first, privately, and deletes nothing on Cancel', async () => {
    const before = await baselineCounts(h.store);
    const confirm = await slash(h, ana, { name: 'forget-me' });
    expect(confirm.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(buttonsOf(confirm).map((b) => b.label)).toEqual(['Delete everything', 'Cancel']);
    const sent = h.fake.dispatchButton(ana, buttonId(confirm, 'Cancel'), confirm);
    await h.fake.waitForCallback(sent.id);
    expect(h.fake.message(confirm.id).content).toBe(FORGET_CANCELLED);
    expect(await baselineCounts(h.store)).toEqual(before);
  });

  it('deletes everything of the participant and reports the counts', async () => {
    expect(revealBeforeForget).toContain('2 finished this pair');
    const confirm = await slash(h, ana, { name: 'forget-me' });
    const sent = h.fake.dispatchButton(ana, buttonId(confirm, 'Delete everything'), confirm);
    await settled(h, sent, 1);
    const done = h.fake.message(confirm.id);
    expect(done.content).toContain('everything recorded about you is deleted');
    expect(done.content).toContain('- consent: 1');
    expect(done.content).toContain('- baseline answers: 2');
    expect(done.content).toContain('- quiz answers: 0');
    expect(done.components).toEqual([]);
    expect((await h.service.consentStatus(ana.user.id)).accepted).toBe(false);
    // Ben's consent and his two answers (each kept twice, by participant and by pair) remain.
    expect(await baselineCounts(h.store)).toMatchObject({
      consent: 1,
      answers: 2,
      pairAnswers: 2,
      progress: 0,
    });
  });

  it('takes the participant out of the crowd other people see', async () => {
    const { reveal } = await playOnePair(h, chen, [false, true]);
    const text = reveal.embeds[0]?.description ?? '';
    expect(text).toContain('2 finished this pair (you included)');
    expect(text).toMatch(/people: A \d · B \d \(\d+% right of 2\)/);
  });

  it('takes the participant out of later exports', async () => {
    const host = h.fake.addUser({ username: 'host', permissions: PermissionFlagsBits.ManageGuild });
    const reply = await slash(h, host, { name: 'export' });
    const csv = reply.attachments.find((a) => a.filename === 'answers.csv');
    const response = await fetch(csv?.url ?? '');
    const rows = parse(Buffer.from(await response.arrayBuffer()), { columns: true }) as Array<
      Record<string, string>
    >;
    expect(rows).toHaveLength(4);
    const participants = new Set(rows.map((r) => r.participant));
    expect(participants).toEqual(
      new Set([h.service.pseudonymOf(ben.user.id), h.service.pseudonymOf(chen.user.id)]),
    );
    expect(participants.has(h.service.pseudonymOf(ana.user.id))).toBe(false);
  });

  it('starts afresh with the consent notice when the participant comes back', async () => {
    const reply = await slash(h, ana, { name: 'baseline' });
    expect(reply.embeds[0]?.title).toBe(CONSENT_NOTICE.title);
  });
});
