import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Collection } from '../store/types.js';
import type { Clock } from './clock.js';

/**
 * Forget-me reaching every process that runs quizzes on the same store. A deletion deletes the person's
 * stored quiz records at once, but a quiz engine in another process (a shard, or the bot while an operator
 * runs `mediconfusion forget`) still holds their clicks of an open round in memory, and would count them,
 * and show their name among the fastest, at the round's reveal; a session they host would get their id
 * back at its next write. So each deletion also leaves a notice in the store, which every engine reads for
 * the people of a round before revealing it (one batched read, by key) and honours: clicks made before the
 * deletion leave the round, and a session created before it is rehosted.
 *
 * A notice holds no id, only a hash of it, and expires after `FORGET_NOTICE_MS` (a day: longer than any
 * round stays open); each deletion sweeps away the expired ones.
 */

export const FORGET_NOTICE_MS = 24 * 60 * 60 * 1000;

export const forgetNoticeSchema = z.object({
  /** When the deletion happened (epoch ms): clicks and sessions from before it are the person's to forget. */
  at: z.number(),
  expiresAt: z.number(),
  /** The id a session they host gets instead of theirs. */
  replacementHost: z.string(),
});
export type ForgetNotice = z.infer<typeof forgetNoticeSchema>;

/** The notice's key for a person: a hash, so the store keeps no id of someone it was asked to forget. */
export function forgetNoticeKey(userId: string): string {
  return createHash('sha256').update(`mediconfusion quiz forget-me\u0000${userId}`).digest('hex');
}

/**
 * The host id a session has once a deletion is honoured: `notice` (of its host, if any) replaces it when the
 * session was created before the deletion; a session the person started afterwards keeps their id.
 */
export function hostAfterNotice(
  session: { hostUserId: string; createdAt: number },
  notice: ForgetNotice | undefined,
): string {
  return notice !== undefined && session.createdAt <= notice.at ? notice.replacementHost : session.hostUserId;
}

export class ForgetNotices {
  constructor(
    private readonly notices: Collection<ForgetNotice>,
    private readonly clock: Clock,
  ) {}

  /** Records that `userId` was forgotten now, for every engine on the store to honour. */
  async post(userId: string, replacementHost: string): Promise<void> {
    const at = this.clock.now();
    await this.notices.set(forgetNoticeKey(userId), {
      at,
      expiresAt: at + FORGET_NOTICE_MS,
      replacementHost,
    });
  }

  /** The unexpired notices of these people, by user id (usually none). */
  async of(userIds: Iterable<string>): Promise<Map<string, ForgetNotice>> {
    const ids = [...new Set(userIds)];
    const found = new Map<string, ForgetNotice>();
    if (ids.length === 0) return found;
    const now = this.clock.now();
    const notices = await this.notices.getMany(ids.map(forgetNoticeKey));
    ids.forEach((userId, i) => {
      const notice = notices[i];
      if (notice !== undefined && notice.expiresAt > now) found.set(userId, notice);
    });
    return found;
  }

  /** Deletes the expired notices; returns how many. */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    const expired: string[] = [];
    for await (const [key, notice] of this.notices.entries()) if (notice.expiresAt <= now) expired.push(key);
    let deleted = 0;
    for (const key of expired) if (await this.notices.delete(key)) deleted++;
    return deleted;
  }
}
