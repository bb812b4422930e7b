import type { StoreBackend } from './types.js';

/**
 * A stored value that does not match what the collection expects, or a value a caller tried to write that
 * is not JSON. Either is a bug or damaged data, never something to paper over with a default.
 */
export class StoreValueError extends Error {
  override readonly name = 'StoreValueError';
  constructor(
    readonly namespace: string,
    readonly key: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`Store collection "${namespace}", key "${key}": ${detail}`, options);
  }
}

/** The backend failed (connection lost, disk error, missing table). The original error is the cause. */
export class StoreOperationError extends Error {
  override readonly name = 'StoreOperationError';
  constructor(
    readonly backend: StoreBackend,
    readonly operation: string,
    readonly namespace: string,
    readonly key: string | undefined,
    options: { cause: unknown },
  ) {
    const target =
      key === undefined ? `collection "${namespace}"` : `collection "${namespace}", key "${key}"`;
    super(`${backend} store: ${operation} on ${target} failed: ${describeCause(options.cause)}`, options);
  }
}

/** Thrown by every operation after `Store.close()`. */
export class StoreClosedError extends Error {
  override readonly name = 'StoreClosedError';
  constructor(backend: StoreBackend) {
    super(`The ${backend} store is closed`);
  }
}

/** A one-line description of a backend error, for messages shown to operators. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    // AggregateError (e.g. ECONNREFUSED on both ::1 and 127.0.0.1) has an empty message of its own.
    if (cause.message !== '') return cause.message;
    const code = (cause as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    return cause.name;
  }
  return String(cause);
}
