import { InteractionResponseType, MessageFlags } from 'discord.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONSENT_NOTICE } from '../../src/baseline/consent.js';
import { DECLINED_TEXT, OUTDATED_NOTICE_TEXT, PAIR_FILE_NAME } from '../../src/bot/baseline-messages.js';
import { UNKNOWN_COMPONENT } from '../../src/bot/interaction-router.js';
import type { FakeUser } from '../support/fake-discord/index.js';
import {
  type BaselineBot,
  baselineCounts,
  buttonId,
  buttonsOf,
  settled,
  slash,
  startBaselineBot,
} from './baseline-support.js';

const EMPTY = {
  consent: 0,
  profiles: 0,
  progress: 0,
  answers: 0,
  pairAnswers: 0,
  deployment: 0,
  secretCheck: 0,
};

describe('/baseline consent gate', () => {
  let h: BaselineBot;
  beforeAll(async () => {
    h = await startBaselineBot();
  });
  afterAll(async () => {
    await h?.close();
  });

  let n = 0;
  const newUser = (): FakeUser => h.fake.addUser({ username: `participant-${++n}` });

  it('shows the consent notice privately on first use, with Accept and Decline, and records nothing', async () => {
    const user = newUser();
    const reply = await slash(h, user, { name: 'baseline' });
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.embeds[0]?.title).toBe(CONSENT_NOTICE.title);
    expect(reply.embeds[0]?.description).toContain('pseudonymous');
    expect(reply.embeds[0]?.description).toContain('/forget-me');
    expect(buttonsOf(reply).map((b) => b.label)).toEqual([
      CONSENT_NOTICE.acceptLabel,
      CONSENT_NOTICE.declineLabel,
    ]);
    expect(reply.attachments).toEqual([]);
    expect(await baselineCounts(h.store)).toEqual(EMPTY);
    expect((await h.service.consentStatus(user.user.id)).accepted).toBe(false);
  });

  it('records nothing when the participant declines, and says so', async () => {
    const user = newUser();
    const notice = await slash(h, user, { name: 'baseline' });
    const sent = h.fake.dispatchButton(user, buttonId(notice, CONSENT_NOTICE.declineLabel), notice);
    const callback = await h.fake.waitForCallback(sent.id);
    expect(callback.type).toBe(InteractionResponseType.UpdateMessage);
    expect(h.fake.message(notice.id).content).toBe(DECLINED_TEXT);
    expect(h.fake.message(notice.id).components).toEqual([]);
    expect(await baselineCounts(h.store)).toEqual(EMPTY);
  });

  it('records consent on Accept and puts the first pair in place of the notice', async () => {
    const user = newUser();
    const notice = await slash(h, user, { name: 'baseline' });
    const sent = h.fake.dispatchButton(user, buttonId(notice, CONSENT_NOTICE.acceptLabel), notice);
    await settled(h, sent, 1);
    const shown = h.fake.message(notice.id);
    expect(shown.embeds).toEqual([]);
    expect(shown.attachments.map((a) => a.filename)).toEqual([PAIR_FILE_NAME]);
    expect(buttonsOf(shown).map((b) => b.label)).toEqual([
      'Image 1 → A',
      'Image 1 → B',
      'Image 2 → A',
      'Image 2 → B',
      'Full size',
      'Stop',
    ]);
    expect(shown.content).toContain('your pair 1');
    expect((await h.service.consentStatus(user.user.id)).accepted).toBe(true);
    const counts = await baselineCounts(h.store);
    expect(counts).toMatchObject({ consent: 1, progress: 1, answers: 0, profiles: 0 });
  });

  it('shows both original images at full size, privately, under neutral names', async () => {
    const user = newUser();
    const notice = await slash(h, user, { name: 'baseline' });
    const accept = h.fake.dispatchButton(user, buttonId(notice, CONSENT_NOTICE.acceptLabel), notice);
    await settled(h, accept, 1);
    const shown = h.fake.message(notice.id);
    const sent = h.fake.dispatchButton(user, buttonId(shown, 'Full size'), shown);
    const reply = await h.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.attachments.map((a) => a.filename)).toEqual(['image-1.jpg', 'image-2.jpg']);
    expect(await baselineCounts(h.store)).toMatchObject({ answers: 0 });
  });

  it('answers a consent button of an older notice with a note, recording nothing', async () => {
    const user = newUser();
    const before = await baselineCounts(h.store);
    const sent = h.fake.dispatchButton(user, 'baseline-consent:accept:99:pairs');
    await h.fake.waitForCallback(sent.id);
    const reply = await h.fake.waitForReply(sent.id);
    expect(reply.content).toBe(OUTDATED_NOTICE_TEXT);
    expect((await h.service.consentStatus(user.user.id)).accepted).toBe(false);
    expect(await baselineCounts(h.store)).toEqual(before);
  });

  it('answers a forged consent button with the polite unknown-button note', async () => {
    const user = newUser();
    const sent = h.fake.dispatchButton(user, 'baseline-consent:yes-please:1:pairs');
    const reply = await h.fake.waitForReply(sent.id);
    expect(reply.content).toBe(UNKNOWN_COMPONENT);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect((await h.service.consentStatus(user.user.id)).accepted).toBe(false);
  });
});

describe('/profile', () => {
  let h: BaselineBot;
  let user: FakeUser;
  beforeAll(async () => {
    h = await startBaselineBot();
    user = h.fake.addUser({ username: 'dr.okafor' });
  });
  afterAll(async () => {
    await h?.close();
  });

  it('asks for consent first and stores nothing, not even the profile given', async () => {
    const reply = await slash(h, user, {
      name: 'profile',
      options: { training_level: 'fellow', specialty: 'Neuroradiology' },
    });
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.embeds[0]?.title).toBe(CONSENT_NOTICE.title);
    expect(reply.content).toContain('needs your consent');
    expect(await baselineCounts(h.store)).toEqual(EMPTY);
  });

  it('after Accept from the profile notice, offers to set the profile or start', async () => {
    const notice = await slash(h, user, { name: 'profile' });
    const sent = h.fake.dispatchButton(user, buttonId(notice, CONSENT_NOTICE.acceptLabel), notice);
    await settled(h, sent, 1);
    const after = h.fake.message(notice.id);
    expect(after.content).toContain('consent is recorded');
    expect(buttonsOf(after).map((b) => b.label)).toEqual(['Start']);
    expect(await baselineCounts(h.store)).toMatchObject({ consent: 1, profiles: 0, progress: 0 });
  });

  it('sets the training level and specialty, and shows them', async () => {
    const reply = await slash(h, user, {
      name: 'profile',
      options: { training_level: 'fellow', specialty: '  Neuro   radiology ' },
    });
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain('Your profile is saved');
    expect(reply.content).toContain('**Training level:** Fellow');
    expect(reply.content).toContain('**Specialty:** Neuro radiology');
    const stored = await h.service.profile(user.user.id);
    expect(stored).toMatchObject({
      ok: true,
      profile: { trainingLevel: 'fellow', specialty: 'Neuro radiology' },
    });
  });

  it('shows the current profile when given no options', async () => {
    const reply = await slash(h, user, { name: 'profile' });
    expect(reply.content).toContain('Your profile in the private baseline');
    expect(reply.content).toContain('Fellow');
  });

  it('changes one field and keeps the other', async () => {
    const reply = await slash(h, user, { name: 'profile', options: { training_level: 'resident-pgy3' } });
    expect(reply.content).toContain('Resident, PGY-3');
    expect(reply.content).toContain('Neuro radiology');
  });

  it('refuses a training level outside the choices, as a forged interaction could send', async () => {
    const reply = await slash(h, user, { name: 'profile', options: { training_level: 'wizard' } });
    expect(reply.content).toMatch(/^Training level:/);
    expect(await h.service.profile(user.user.id)).toMatchObject({
      ok: true,
      profile: { trainingLevel: 'resident-pgy3' },
    });
  });

  it('clears the profile with clear:True', async () => {
    const reply = await slash(h, user, { name: 'profile', options: { clear: true } });
    expect(reply.content).toContain('**Training level:** Not given');
    expect(reply.content).toContain('**Specialty:** Not given');
    expect(await h.service.profile(user.user.id)).toMatchObject({
      ok: true,
      profile: { trainingLevel: null, specialty: null },
    });
  });
});
