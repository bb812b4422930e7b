import type { Clock } from '../quiz/clock.js';
import type { ConsentRequired, Enrolment } from './enrolment.js';
import type { ParticipantLocks } from './participant-locks.js';
import { type Profile, type ProfileUpdate, profileUpdateSchema } from './profile.js';
import { type BaselineRefusal, refuse } from './refusals.js';
import type { BaselineCollections } from './store-layout.js';

export type ProfileResult = ConsentRequired | BaselineRefusal | { ok: true; profile: Profile | null };

/** A participant's optional training level and specialty: read, and changed field by field. */
export class ProfileEditor {
  constructor(
    private readonly db: BaselineCollections,
    private readonly enrolment: Enrolment,
    private readonly locks: ParticipantLocks,
    private readonly clock: Clock,
  ) {}

  async profile(userId: string): Promise<ProfileResult> {
    const participant = this.enrolment.pseudonymOf(userId);
    const gate = await this.enrolment.gate(participant);
    if (gate !== null) return gate;
    const record = await this.db.profiles.get(participant);
    return { ok: true, profile: record === undefined ? null : toProfile(record) };
  }

  /** Changes the given fields (null clears one); `update` comes from the front end and is validated here. */
  async setProfile(userId: string, update: ProfileUpdate): Promise<ProfileResult> {
    const participant = this.enrolment.pseudonymOf(userId);
    return this.locks.run(participant, async (): Promise<ProfileResult> => {
      const gate = await this.enrolment.gate(participant);
      if (gate !== null) return gate;
      const parsed = profileUpdateSchema.safeParse(update);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const field =
          issue?.path[0] === 'specialty'
            ? 'Specialty'
            : issue?.path[0] === 'trainingLevel'
              ? 'Training level'
              : 'Profile';
        return refuse('INVALID_PROFILE', `${field}: ${issue?.message ?? 'invalid value'}.`);
      }
      const before = await this.db.profiles.get(participant);
      const { trainingLevel, specialty } = parsed.data;
      const record = {
        version: 1 as const,
        participant,
        trainingLevel: trainingLevel === undefined ? (before?.trainingLevel ?? null) : trainingLevel,
        specialty: specialty === undefined ? (before?.specialty ?? null) : specialty,
        updatedAt: this.clock.now(),
      };
      await this.db.profiles.set(participant, record);
      return { ok: true, profile: toProfile(record) };
    });
  }
}

function toProfile(record: {
  trainingLevel: Profile['trainingLevel'];
  specialty: string | null;
  updatedAt: number;
}): Profile {
  return { trainingLevel: record.trainingLevel, specialty: record.specialty, updatedAt: record.updatedAt };
}
