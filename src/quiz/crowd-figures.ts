import type { ConfusingPair, ImageSlot, Option } from '../dataset/model.js';
import { scorePair } from '../scoring/pair-score.js';

/**
 * A round's crowd figures: how the people who answered a pair did, image by image and on the pair. The
 * quiz reveal (shown by Discord and the web) and the private baseline's reveal both compute them here, so
 * the denominators are defined once:
 *
 * - **The crowd** is everyone whose answers to the pair are final and who answered at least one image.
 *   Whether answers are final is the caller's fact (`CrowdMember.final`): a quiz round's answers are all
 *   final once the round closes (someone who answered one image left the other unanswered for good); a
 *   baseline participant answers a pair alone and can still add the second image, so their answers are
 *   final once both images are answered (`baselineMember`).
 * - **For an image** (picks, right, rightShare): the members of the crowd who answered that image.
 * - **For the pair** (setCorrect, setAccuracy): every member of the crowd; an image a member left
 *   unanswered counts as wrong, exactly as an invalid answer of a model does.
 * - **For confusion** (the same option picked for both images): the members who answered both images,
 *   since only they could pick the same option twice.
 *
 * Every percentage is null when its denominator is 0.
 */

export interface CrowdMember {
  chosen: readonly [Option | null, Option | null];
  /** The person can no longer add or change an answer to this pair. */
  final: boolean;
}

export interface CrowdImage {
  /** Members of the crowd who answered this image. */
  answered: number;
  picks: Record<Option, number>;
  right: number;
  /** Percent of `answered` who got this image right; null when nobody answered it. */
  rightShare: number | null;
}

export interface CrowdPair {
  /** Members of the crowd: answered at least one image, with final answers. */
  participants: number;
  /** Members who answered both images. */
  completed: number;
  /** Members with both images right. */
  setCorrect: number;
  /** Percent of `participants` with both images right; null when the crowd is empty. */
  setAccuracy: number | null;
  /** Members who picked the same option for both images. */
  confused: number;
  /** Percent of `completed` who were confused; null when nobody answered both images. */
  confusion: number | null;
}

export interface CrowdFigures {
  images: [CrowdImage, CrowdImage];
  pair: CrowdPair;
}

export const percentOf = (k: number, n: number): number | null => (n === 0 ? null : (k / n) * 100);

/** Whether a member's answers put them in the crowd (see the module comment). */
export function inCrowd(member: CrowdMember): boolean {
  return member.final && (member.chosen[0] !== null || member.chosen[1] !== null);
}

/** A baseline participant's answers to a pair: final once both images are answered (answers cannot change). */
export function baselineMember(chosen: readonly [Option | null, Option | null]): CrowdMember {
  return { chosen, final: chosen[0] !== null && chosen[1] !== null };
}

/** A quiz player's answers to a round that has closed: all final, whatever they answered. */
export function closedRoundMember(chosen: readonly [Option | null, Option | null]): CrowdMember {
  return { chosen, final: true };
}

export function crowdFigures(pair: ConfusingPair, members: Iterable<CrowdMember>): CrowdFigures {
  const picks: [Record<Option, number>, Record<Option, number>] = [
    { A: 0, B: 0 },
    { A: 0, B: 0 },
  ];
  let participants = 0;
  let completed = 0;
  let setCorrect = 0;
  let confused = 0;
  for (const member of members) {
    if (!inCrowd(member)) continue;
    const score = scorePair(pair, [member.chosen[0], member.chosen[1]]);
    participants++;
    for (const slot of [0, 1] as const) {
      const option = member.chosen[slot];
      if (option !== null) picks[slot][option]++;
    }
    if (!score.invalid[0] && !score.invalid[1]) completed++;
    if (score.setCorrect) setCorrect++;
    if (score.confused) confused++;
  }
  const image = (slot: ImageSlot): CrowdImage => {
    const answered = picks[slot].A + picks[slot].B;
    const right = picks[slot][pair.images[slot].correct];
    return { answered, picks: picks[slot], right, rightShare: percentOf(right, answered) };
  };
  return {
    images: [image(0), image(1)],
    pair: {
      participants,
      completed,
      setCorrect,
      setAccuracy: percentOf(setCorrect, participants),
      confused,
      confusion: percentOf(confused, completed),
    },
  };
}
