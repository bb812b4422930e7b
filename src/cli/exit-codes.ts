/**
 * The exit codes of `mediconfusion`, documented in the README ("Exit codes"). Scripts rely on them: change
 * none without a note in the README.
 */
export const EXIT = {
  /** Done; for `probe run`: every image ANSWERED or INVALID (also a run stopped by its own budget). */
  ok: 0,
  /** Configuration or authentication failure, or any other problem the user can fix: nothing useful ran. */
  config: 1,
  /** Bad command line (unknown option, missing argument). */
  usage: 2,
  /** `probe run` finished, but some images ended in ERROR (`--retry-errors` asks them again). */
  someErrors: 3,
  /** A bug: the message carries a stack trace. */
  internal: 70,
  /** Stopped by Ctrl-C (128 + SIGINT). */
  interrupted: 130,
} as const;
