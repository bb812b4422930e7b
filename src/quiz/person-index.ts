import { z } from 'zod';
import { stableKey, stableKeyPrefix } from '../store/keys.js';
import type { Collection, Store } from '../store/types.js';
import { quizCollections } from './store-layout.js';

/**
 * Which quiz sessions each person answered in, so that one person's statistics (`/stats scope:me`, the
 * baseline's "seen before") read that person's few sessions instead of every session and click in the
 * store. Keyed `user:session`, so a prefix scan lists one person's sessions in key order.
 *
 * The engine adds the entry with a person's first click of a round, issued just before the click itself:
 * group commit keeps the order of writes, so a stored click always has its entry (a crash in between can
 * leave an entry without a click, which readers simply find empty). Stores written before the index
 * existed are indexed once, by a full pass, the first time the index is read (`ready`).
 */

const entrySchema = z.object({ sessionId: z.string() });
type Entry = z.infer<typeof entrySchema>;

/** Present once every click already in the store is indexed. */
const BUILT_KEY = '~built';
const builtSchema = z.object({ version: z.literal(1), at: z.number() });

export class PersonIndex {
  private readonly entries: Collection<Entry>;
  private readonly meta: Collection<z.infer<typeof builtSchema>>;
  private building: Promise<void> | undefined;

  constructor(private readonly store: Store) {
    this.entries = store.collection('quiz.by-person', entrySchema);
    this.meta = store.collection('quiz.by-person-meta', builtSchema);
  }

  /** Records that `userId` answered in `sessionId` (idempotent). */
  add(userId: string, sessionId: string): Promise<void> {
    return this.entries.set(stableKey([userId, sessionId]), { sessionId });
  }

  /** The sessions `userId` answered in, in key order. */
  async sessionsOf(userId: string): Promise<string[]> {
    await this.ready();
    const ids: string[] = [];
    for await (const [, entry] of this.entries.entries(stableKeyPrefix([userId]))) ids.push(entry.sessionId);
    return ids;
  }

  /** Removes every entry of `userId` (forget-me); returns how many there were. */
  async forget(userId: string): Promise<number> {
    const keys: string[] = [];
    for await (const [key] of this.entries.entries(stableKeyPrefix([userId]))) keys.push(key);
    for (const key of keys) await this.entries.delete(key);
    return keys.length;
  }

  /** Indexes, once per store, the clicks stored before the index existed. */
  private ready(): Promise<void> {
    this.building ??= this.build().catch((err: unknown) => {
      this.building = undefined;
      throw err;
    });
    return this.building;
  }

  private async build(): Promise<void> {
    if ((await this.meta.get(BUILT_KEY)) !== undefined) return;
    const seen = new Set<string>();
    const writes: Array<Promise<void>> = [];
    for await (const [, answer] of quizCollections(this.store).answers.entries()) {
      const key = stableKey([answer.userId, answer.sessionId]);
      if (seen.has(key)) continue;
      seen.add(key);
      writes.push(this.entries.set(key, { sessionId: answer.sessionId }));
    }
    await Promise.all(writes);
    await this.meta.set(BUILT_KEY, { version: 1, at: Date.now() });
  }
}
