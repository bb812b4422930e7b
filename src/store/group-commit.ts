import type { LeaseOutcome, LeaseRequest } from './leases.js';

/**
 * Group commit: the writes that arrive while one batch is being committed wait and go into the next
 * batch, so a burst of N concurrent writes costs a handful of commits (and disk syncs) instead of N.
 * Every write still resolves only once the batch holding it is committed, so "resolved" keeps meaning
 * "durable" (as durable as the backend makes a commit).
 *
 * The backend-specific part is one function that applies a batch atomically (SQLite and PostgreSQL: one
 * transaction; Redis: one pipeline) and returns each operation's result in order.
 */

/** Keys and values reaching a committer are already namespaced and encoded. */
export type WriteOp =
  | { readonly kind: 'set'; readonly key: string; readonly value: string }
  | { readonly kind: 'insertIfAbsent'; readonly key: string; readonly value: string }
  | { readonly kind: 'delete'; readonly keys: readonly string[] }
  /** Takes, renews or releases the lease stored at `key` (see leases.ts for the rules). */
  | { readonly kind: 'lease'; readonly key: string; readonly request: LeaseRequest }
  /** Writes `value` under `key` only while the lease at `leaseKey` still has token `token`. */
  | {
      readonly kind: 'fencedSet';
      readonly key: string;
      readonly value: string;
      readonly leaseKey: string;
      readonly token: number;
    };

/** What each kind of operation resolves with. */
export interface WriteResults {
  set: true;
  /** True when the key was absent and the value was written. */
  insertIfAbsent: boolean;
  /** How many of the keys existed (and were deleted). */
  delete: number;
  lease: LeaseOutcome;
  /** False when the lease's token had moved on (another owner took over), and nothing was written. */
  fencedSet: boolean;
}
export type WriteResult = WriteResults[keyof WriteResults];

/**
 * Applies `ops` in order, atomically (all or none), and returns one result per op. Throws when any op or
 * the commit fails; the batch must then have left nothing behind.
 */
export type CommitBatch = (ops: readonly WriteOp[]) => Promise<WriteResult[]>;

export interface WriteStats {
  /** Write operations that completed (set, setIfAbsent, delete, and each chunk of a clear). */
  writes: number;
  /** Batches committed: transactions on SQLite and PostgreSQL (one disk sync each), pipelines on Redis. */
  commits: number;
  /** Writes in the largest batch so far. */
  largestBatch: number;
}

/**
 * Most writes one batch holds. A bound keeps one transaction's statements (and the time a writer waits
 * behind it) in proportion; a burst larger than this simply takes several commits.
 */
export const MAX_BATCH = 1_000;

interface Pending {
  op: WriteOp;
  resolve(result: WriteResult): void;
  reject(err: unknown): void;
}

export class GroupCommitter {
  private queue: Pending[] = [];
  private running: Promise<void> | undefined;
  private readonly stats: WriteStats = { writes: 0, commits: 0, largestBatch: 0 };

  constructor(
    private readonly commitBatch: CommitBatch,
    private readonly maxBatch = MAX_BATCH,
  ) {}

  submit<K extends WriteOp['kind']>(op: Extract<WriteOp, { kind: K }>): Promise<WriteResults[K]> {
    return new Promise<WriteResult>((resolve, reject) => {
      this.queue.push({ op, resolve, reject });
      // The first write of a burst waits for the current turn of the event loop to finish, so that
      // writes issued in the same turn (e.g. several interactions read from one socket chunk) share it.
      this.running ??= new Promise<void>((started) => setImmediate(started)).then(() => this.drain());
    }) as Promise<WriteResults[K]>;
  }

  /** Resolves once every write submitted so far has been committed (or has failed). */
  async flush(): Promise<void> {
    while (this.running !== undefined) await this.running;
  }

  writeStats(): WriteStats {
    return { ...this.stats };
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        await this.commit(batch);
      }
    } finally {
      this.running = undefined;
    }
  }

  private async commit(batch: Pending[]): Promise<void> {
    try {
      const results = await this.commitBatch(batch.map((pending) => pending.op));
      this.counted(batch.length);
      for (const [index, pending] of batch.entries()) pending.resolve(results[index] as WriteResult);
      return;
    } catch (err) {
      if (batch.length === 1) {
        batch[0]?.reject(err);
        return;
      }
    }
    // The batch was rolled back. Commit its writes one by one, so that only the write that fails (a
    // value over a limit, say) is refused and the others still land; when the backend itself is down
    // each write reports that failure.
    for (const pending of batch) {
      try {
        const [result] = await this.commitBatch([pending.op]);
        this.counted(1);
        pending.resolve(result as WriteResult);
      } catch (err) {
        pending.reject(err);
      }
    }
  }

  private counted(writes: number): void {
    this.stats.commits++;
    this.stats.writes += writes;
    this.stats.largestBatch = Math.max(this.stats.largestBatch, writes);
  }
}

/**
 * A batch as the SQL drivers run it: consecutive `set`s are merged into one multi-row upsert (the last
 * value of a key wins, exactly as if they had run one after another inside the transaction), every other
 * operation stays a statement of its own.
 */
export type BatchStep =
  | { kind: 'sets'; entries: Array<[key: string, value: string]>; count: number }
  | Exclude<WriteOp, { kind: 'set' }>;

export function planBatch(ops: readonly WriteOp[]): BatchStep[] {
  const steps: BatchStep[] = [];
  let sets: Map<string, string> | undefined;
  let count = 0;
  const endSets = () => {
    if (sets !== undefined) steps.push({ kind: 'sets', entries: [...sets], count });
    sets = undefined;
    count = 0;
  };
  for (const op of ops) {
    if (op.kind === 'set') {
      sets ??= new Map();
      // Re-inserting moves the key to the end, which does not matter: keys in one upsert are distinct.
      sets.set(op.key, op.value);
      count++;
      continue;
    }
    endSets();
    steps.push(op);
  }
  endSets();
  return steps;
}

/** Runs the planned steps and spreads their results back to one per original operation. */
export async function runPlan(
  ops: readonly WriteOp[],
  run: {
    sets(entries: Array<[string, string]>): Promise<void>;
    insertIfAbsent(key: string, value: string): Promise<boolean>;
    delete(keys: readonly string[]): Promise<number>;
    lease(key: string, request: LeaseRequest): Promise<LeaseOutcome>;
    fencedSet(key: string, value: string, leaseKey: string, token: number): Promise<boolean>;
  },
): Promise<WriteResult[]> {
  const results: WriteResult[] = [];
  for (const step of planBatch(ops)) {
    switch (step.kind) {
      case 'sets':
        await run.sets(step.entries);
        for (let i = 0; i < step.count; i++) results.push(true);
        break;
      case 'insertIfAbsent':
        results.push(await run.insertIfAbsent(step.key, step.value));
        break;
      case 'delete':
        results.push(await run.delete(step.keys));
        break;
      case 'lease':
        results.push(await run.lease(step.key, step.request));
        break;
      case 'fencedSet':
        results.push(await run.fencedSet(step.key, step.value, step.leaseKey, step.token));
        break;
    }
  }
  return results;
}
