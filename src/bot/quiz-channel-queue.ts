import pLimit, { type LimitFunction } from 'p-limit';
import type { Logger } from '../logger.js';
import { loggableError } from './loggable-error.js';

/**
 * Runs the quiz's steps of each Discord channel one after another, in the order they were queued: the
 * rendering of the engine's events, resume after a restart, and the replies that must follow them. Steps
 * wait until the client is connected (`markReady`), so work queued at start-up (resume) runs first and host
 * buttons pressed in the first moments wait behind it. Once closed, queued steps are skipped and `close`
 * waits for the ones already running. Answer clicks never queue here: they go straight to the engine.
 */
export class QuizChannelQueue {
  private readonly log: Logger;
  private readonly queues = new Map<string, LimitFunction>();
  private readonly running = new Set<Promise<unknown>>();
  private isClosed = false;
  private markReadyNow: (ready: boolean) => void = () => undefined;
  private readonly ready: Promise<boolean>;

  constructor(log: Logger) {
    this.log = log;
    this.ready = new Promise((resolve) => {
      this.markReadyNow = resolve;
    });
  }

  /** Whether the bot is shutting down: nothing more is rendered. */
  get closed(): boolean {
    return this.isClosed;
  }

  /** Lets queued channel steps run: call once the client is connected. */
  markReady(): void {
    this.markReadyNow(true);
  }

  /** Skips every step not yet started; the promise settles once the running steps have. */
  close(): Promise<void> {
    this.isClosed = true;
    this.markReadyNow(false);
    return Promise.allSettled([...this.running]).then(() => undefined);
  }

  /** Runs `step` after the channel's earlier steps; skipped (undefined) once the bot is shutting down. */
  inChannel<T>(channelId: string, step: () => Promise<T>): Promise<T | undefined> {
    let queue = this.queues.get(channelId);
    if (queue === undefined) {
      queue = pLimit(1);
      this.queues.set(channelId, queue);
    }
    const task = queue(async () => {
      if (!(await this.ready) || this.isClosed) return undefined;
      return step();
    });
    this.running.add(task);
    void task.finally(() => this.running.delete(task)).catch(() => undefined);
    return task;
  }

  /** For events: a queued step whose failure is logged, since nobody is waiting for it. */
  background(channelId: string, what: string, step: () => Promise<void>): void {
    this.inChannel(channelId, step).catch((err: unknown) =>
      this.log.error({ err: loggableError(err), channelId }, `quiz ${what} failed`),
    );
  }
}
