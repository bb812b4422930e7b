import { z } from 'zod';

/** Training levels a participant may give, in order of training; the report has one group per level. */
export const TRAINING_LEVELS = [
  'medical-student',
  'resident-pgy1',
  'resident-pgy2',
  'resident-pgy3',
  'resident-pgy4',
  'resident-pgy5-plus',
  'fellow',
  'attending-radiologist',
  'other-clinician',
  'non-clinician',
] as const;
export type TrainingLevel = (typeof TRAINING_LEVELS)[number];

export const TRAINING_LEVEL_LABELS: Record<TrainingLevel, string> = {
  'medical-student': 'Medical student',
  'resident-pgy1': 'Resident, PGY-1',
  'resident-pgy2': 'Resident, PGY-2',
  'resident-pgy3': 'Resident, PGY-3',
  'resident-pgy4': 'Resident, PGY-4',
  'resident-pgy5-plus': 'Resident, PGY-5 or later',
  fellow: 'Fellow',
  'attending-radiologist': 'Attending radiologist',
  'other-clinician': 'Other clinician',
  'non-clinician': 'Non-clinician',
};

/** Long enough for "Interventional neuroradiology", short enough to stay a specialty and not a story. */
export const SPECIALTY_MAX_LENGTH = 80;

export const trainingLevelSchema = z.enum(TRAINING_LEVELS);

/**
 * A specialty as typed: trimmed, inner whitespace collapsed, at most SPECIALTY_MAX_LENGTH characters,
 * no control characters. Empty means "none".
 */
export const specialtySchema = z
  .string()
  .transform((s) => s.trim().replace(/\s+/g, ' '))
  .refine((s) => s.length <= SPECIALTY_MAX_LENGTH, {
    error: `must be at most ${SPECIALTY_MAX_LENGTH} characters`,
  })
  // biome-ignore lint/suspicious/noControlCharactersInRegex: refusing control characters is the point
  .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), { error: 'must not contain control characters' })
  .transform((s) => (s === '' ? null : s));

/** What a participant may change: a field left out stays as it is, null clears it. */
export const profileUpdateSchema = z.strictObject({
  trainingLevel: trainingLevelSchema.nullable().optional(),
  specialty: specialtySchema.nullable().optional(),
});
export type ProfileUpdate = z.input<typeof profileUpdateSchema>;

export interface Profile {
  trainingLevel: TrainingLevel | null;
  specialty: string | null;
  /** Epoch ms of the last change. */
  updatedAt: number;
}

/** The training level's label, or the fallback for people who did not give one. */
export function trainingLevelLabel(level: TrainingLevel | null): string {
  return level === null ? 'Not given' : TRAINING_LEVEL_LABELS[level];
}
