import { MultiBar, Presets, type SingleBar } from 'cli-progress';
import type { FetchObserver, FetchPhase, ItemResult } from './fetch-data.js';
import { type Counts, countItems } from './summary.js';

export interface ProgressReporter extends FetchObserver {
  /** Removes the bar (if any); call before printing the summary. */
  stop(): void;
}

const PHASE_LABEL: Record<FetchPhase, string> = { dataset: 'dataset files', images: 'images' };

function lastReason(item: ItemResult): string {
  const last = item.attempts.at(-1);
  return last ? `${last.source}: ${last.reason}` : 'no source could provide it';
}

/**
 * A progress bar on a terminal; on anything else (CI logs, files) a few plain lines: one at every
 * tenth of a phase, and one per failure or replaced file as it happens.
 */
export function createProgressReporter(stream: NodeJS.WritableStream, tty: boolean): ProgressReporter {
  return tty ? new BarReporter(stream) : new LineReporter(stream);
}

class BarReporter implements ProgressReporter {
  private readonly bars: MultiBar;
  private bar: SingleBar | undefined;
  private items: ItemResult[] = [];

  constructor(stream: NodeJS.WritableStream) {
    this.bars = new MultiBar(
      {
        stream,
        format:
          '{phase} [{bar}] {value}/{total} | {downloaded} downloaded, {skipped} present, {failed} failed',
        hideCursor: true,
        clearOnComplete: false,
      },
      Presets.shades_classic,
    );
  }

  phaseStart(phase: FetchPhase, total: number): void {
    this.items = [];
    this.bar = this.bars.create(total, 0, { phase: PHASE_LABEL[phase].padEnd(13), ...countItems([]) });
  }

  item(result: ItemResult): void {
    this.items.push(result);
    this.bar?.increment(1, countItems(this.items));
    if (result.status === 'failed') this.bars.log(`${result.path} failed (${lastReason(result)})\n`);
  }

  notice(message: string): void {
    this.bars.log(`${message}\n`);
  }

  stop(): void {
    this.bars.stop();
  }
}

class LineReporter implements ProgressReporter {
  private phase: FetchPhase = 'dataset';
  private total = 0;
  private items: ItemResult[] = [];
  private lastTenth = 0;

  constructor(private readonly stream: NodeJS.WritableStream) {}

  phaseStart(phase: FetchPhase, total: number): void {
    this.phase = phase;
    this.total = total;
    this.items = [];
    this.lastTenth = 0;
    this.stream.write(`${PHASE_LABEL[phase]}: ${total} to check\n`);
  }

  item(result: ItemResult): void {
    this.items.push(result);
    if (result.status === 'failed') this.stream.write(`${result.path} failed (${lastReason(result)})\n`);
    const tenth = this.total === 0 ? 10 : Math.floor((this.items.length * 10) / this.total);
    if (tenth > this.lastTenth) {
      this.lastTenth = tenth;
      this.stream.write(
        `${PHASE_LABEL[this.phase]}: ${this.items.length}/${this.total} (${describe(countItems(this.items))})\n`,
      );
    }
  }

  notice(message: string): void {
    this.stream.write(`${message}\n`);
  }

  stop(): void {}
}

function describe(counts: Counts): string {
  return `${counts.downloaded} downloaded, ${counts.skipped} present, ${counts.failed} failed`;
}
