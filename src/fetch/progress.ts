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

/** One bar per phase: cli-progress keeps log lines tidy above a single bar, not above several. */
class BarReporter implements ProgressReporter {
  private bars: MultiBar | undefined;
  private bar: SingleBar | undefined;
  private items: ItemResult[] = [];

  constructor(private readonly stream: NodeJS.WritableStream) {}

  phaseStart(phase: FetchPhase, total: number): void {
    this.stop();
    this.items = [];
    this.bars = new MultiBar(
      {
        stream: this.stream,
        format:
          '{phase} [{bar}] {value}/{total} | {downloaded} downloaded, {skipped} present, {failed} failed',
        hideCursor: true,
        clearOnComplete: false,
        // The command handles Ctrl+C itself and prints a summary; the bar must not stop first.
        gracefulExit: false,
      },
      Presets.shades_classic,
    );
    this.bar = this.bars.create(total, 0, { phase: PHASE_LABEL[phase].padEnd(13), ...countItems([]) });
  }

  item(result: ItemResult): void {
    // Files left undone by Ctrl+C are not progress; the summary counts them.
    if (result.status === 'interrupted') return;
    this.items.push(result);
    this.bar?.increment(1, countItems(this.items));
    if (result.status === 'failed') this.log(`${result.path} failed (${lastReason(result)})`);
  }

  notice(message: string): void {
    this.log(message);
  }

  phaseEnd(): void {
    this.stop();
  }

  stop(): void {
    this.bars?.stop();
    this.bars = undefined;
    this.bar = undefined;
  }

  private log(line: string): void {
    if (this.bars) this.bars.log(`${line}\n`);
    else this.stream.write(`${line}\n`);
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
    if (result.status === 'interrupted') return;
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
