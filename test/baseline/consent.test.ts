import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONSENT_NOTICE } from '../../src/baseline/consent.js';
import { SPECIALTY_MAX_LENGTH } from '../../src/baseline/profile.js';
import { type BaselineHarness, openBaseline } from './harness.js';

let h: BaselineHarness;
beforeEach(async () => {
  h = await openBaseline();
});
afterEach(async () => {
  await h.close();
});

const USER = '123456789012345678';

describe('consent', () => {
  it('shows a notice saying what is recorded, that records are pseudonymous, and how to withdraw', async () => {
    const status = await h.baseline.consentStatus(USER);
    expect(status).toEqual({ accepted: false, reason: 'never', notice: CONSENT_NOTICE });
    const text = CONSENT_NOTICE.text;
    expect(text).toMatch(/What is recorded/);
    expect(text).toMatch(/answer \(A or B\).*how long you took.*seen that image before/s);
    expect(text).toMatch(/pseudonymous/);
    expect(text).toMatch(/\/forget-me/);
    expect(text).toMatch(/Nothing is recorded unless you accept/);
  });

  it('records nothing about a user before they accept: every call answers "consent required"', async () => {
    const rowsBefore = await h.rawRows();
    const calls = {
      nextPair: await h.baseline.nextPair(USER),
      answer: await h.baseline.answer(USER, { pairId: h.set.pairs[0]?.id ?? '', slot: 0, option: 'A' }),
      reveal: await h.baseline.reveal(USER, h.set.pairs[0]?.id ?? ''),
      profile: await h.baseline.profile(USER),
      setProfile: await h.baseline.setProfile(USER, { trainingLevel: 'fellow', specialty: 'Neuroradiology' }),
    };
    for (const [name, result] of Object.entries(calls)) {
      expect(result, name).toMatchObject({ ok: false, code: 'CONSENT_REQUIRED', notice: CONSENT_NOTICE });
    }
    await h.baseline.consentStatus(USER);

    const rows = await h.rawRows();
    expect(rows).toEqual(rowsBefore);
    const pseudonym = h.baseline.pseudonymOf(USER);
    for (const row of rows) {
      expect(row.key + row.value).not.toContain(USER);
      expect(row.key + row.value).not.toContain(pseudonym);
    }
  });

  it('starts recording once accepted, and accepting again keeps the first acceptance time', async () => {
    const first = await h.baseline.acceptConsent(USER, 1_000);
    expect(first).toEqual({ ok: true, acceptedAt: 1_000, alreadyAccepted: false });
    expect(await h.baseline.acceptConsent(USER, 2_000)).toEqual({
      ok: true,
      acceptedAt: 1_000,
      alreadyAccepted: true,
    });
    expect(await h.baseline.consentStatus(USER)).toEqual({ accepted: true, acceptedAt: 1_000, version: 1 });
    const next = await h.baseline.nextPair(USER);
    expect(next.ok).toBe(true);
  });

  it('keeps records under the pseudonym only, never the platform id', async () => {
    await h.baseline.acceptConsent(USER);
    await h.baseline.setProfile(USER, { trainingLevel: 'resident-pgy2' });
    const next = await h.baseline.nextPair(USER);
    if (!next.ok || next.question === null) throw new Error('no pair');
    await h.baseline.answer(USER, { pairId: next.question.pairId, slot: 0, option: 'A' });
    const rows = await h.rawRows();
    const pseudonym = h.baseline.pseudonymOf(USER);
    expect(rows.some((r) => r.key.includes(pseudonym))).toBe(true);
    for (const row of rows) expect(row.key + row.value).not.toContain(USER);
  });
});

describe('profile', () => {
  beforeEach(async () => {
    await h.baseline.acceptConsent(USER);
  });

  it('is empty until given, and can be changed field by field and cleared', async () => {
    expect(await h.baseline.profile(USER)).toEqual({ ok: true, profile: null });
    h.clock.advance(10);
    const set = await h.baseline.setProfile(USER, {
      trainingLevel: 'resident-pgy3',
      specialty: '  Diagnostic   radiology ',
    });
    expect(set).toEqual({
      ok: true,
      profile: {
        trainingLevel: 'resident-pgy3',
        specialty: 'Diagnostic radiology',
        updatedAt: h.clock.now(),
      },
    });
    const moved = await h.baseline.setProfile(USER, { trainingLevel: 'resident-pgy4' });
    expect(moved).toMatchObject({
      ok: true,
      profile: { trainingLevel: 'resident-pgy4', specialty: 'Diagnostic radiology' },
    });
    const cleared = await h.baseline.setProfile(USER, { specialty: null, trainingLevel: null });
    expect(cleared).toMatchObject({ ok: true, profile: { trainingLevel: null, specialty: null } });
    expect(await h.baseline.profile(USER)).toMatchObject({ ok: true, profile: { trainingLevel: null } });
  });

  it('refuses an unknown training level and a specialty that is too long, naming the field', async () => {
    const level = await h.baseline.setProfile(USER, { trainingLevel: 'wizard' as 'fellow' });
    expect(level).toMatchObject({
      ok: false,
      code: 'INVALID_PROFILE',
      message: expect.stringMatching(/^Training level:/),
    });
    const long = await h.baseline.setProfile(USER, { specialty: 'x'.repeat(SPECIALTY_MAX_LENGTH + 1) });
    expect(long).toMatchObject({
      ok: false,
      code: 'INVALID_PROFILE',
      message: expect.stringMatching(new RegExp(`^Specialty: .*${SPECIALTY_MAX_LENGTH}`)),
    });
    expect(await h.baseline.profile(USER)).toEqual({ ok: true, profile: null });
  });
});
