import pLimit, { type LimitFunction } from 'p-limit';

/**
 * Runs the calls of one participant one after another (in this process), so that reading their records and
 * writing new ones never interleave, and a forget-me is never followed by a write. Different participants
 * run in parallel and write different keys. A participant's lock is dropped once nothing waits on it.
 */
export class ParticipantLocks {
  private readonly locks = new Map<string, LimitFunction>();

  run<T>(participant: string, fn: () => Promise<T>): Promise<T> {
    let lock = this.locks.get(participant);
    if (lock === undefined) {
      lock = pLimit(1);
      this.locks.set(participant, lock);
    }
    const held = lock;
    return held(fn).finally(() => {
      if (held.activeCount === 0 && held.pendingCount === 0 && this.locks.get(participant) === held) {
        this.locks.delete(participant);
      }
    });
  }
}
