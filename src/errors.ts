/**
 * A mistake the person using the tool can fix (bad input, missing file, wrong option).
 * The CLI prints `message` without a stack trace and exits non-zero; the bot answers it ephemerally.
 * Anything that is not a UserFacingError is a bug or an outage and is logged with its stack.
 */
export class UserFacingError extends Error {
  override readonly name = 'UserFacingError';
  constructor(
    /** Stable, grep-able identifier such as `DATASET_INVALID` or `CONFIG_INVALID`. */
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export function isUserFacingError(err: unknown): err is UserFacingError {
  return err instanceof UserFacingError;
}
