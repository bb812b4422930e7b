import cliProgress from 'cli-progress';
import type { Logger } from '../logger.js';
import { formatUsd } from './report.js';
import type { ProgressSnapshot } from './runner.js';

export interface ProgressDisplay {
  /** True when drawing a bar: anything else written to the terminal meanwhile would garble it. */
  readonly isBar: boolean;
  update(snapshot: ProgressSnapshot): void;
  /** A short state shown with the progress (e.g. "stopping"). */
  status(text: string): void;
  stop(): void;
}

function rate(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((part / whole) * 100).toFixed(1)}%`;
}

/**
 * A progress bar on a terminal; elsewhere (CI, a pipe, a log file) a log line every `intervalMs`, since a
 * redrawn bar would fill a log with carriage returns.
 */
export function createProgressDisplay(options: {
  stream: NodeJS.WritableStream;
  total: number;
  log: Logger;
  intervalMs?: number;
}): ProgressDisplay {
  const isTTY = (options.stream as NodeJS.WriteStream).isTTY === true;
  if (isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: options.stream,
        format:
          '{bar} {value}/{total} | ETA {eta_formatted} | set acc {setAcc} ({pairsDone} pairs) | invalid {invalid} | errors {errors} | {cost}{status}',
        hideCursor: true,
        etaBuffer: 50,
        // The probe handles Ctrl-C itself (finish what is in flight, then report).
        gracefulExit: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(options.total, 0, {
      setAcc: '-',
      pairsDone: 0,
      invalid: 0,
      errors: 0,
      cost: formatUsd(0),
      status: '',
    });
    return {
      isBar: true,
      status(text) {
        bar.update({ status: ` | ${text}` });
      },
      update(s) {
        bar.update(s.done, {
          setAcc: rate(s.setCorrect, s.pairsDone),
          pairsDone: s.pairsDone,
          invalid: s.invalid,
          errors: s.error,
          cost: formatUsd(s.costUsd),
        });
      },
      stop() {
        bar.stop();
      },
    };
  }
  const intervalMs = options.intervalMs ?? 10_000;
  let last: ProgressSnapshot | null = null;
  let lastLogged = 0;
  const started = Date.now();
  const logLine = (s: ProgressSnapshot) => {
    const elapsed = (Date.now() - started) / 1000;
    const etaSeconds = s.done > 0 ? Math.round((elapsed / s.done) * (s.total - s.done)) : null;
    options.log.info(
      {
        done: s.done,
        total: s.total,
        etaSeconds,
        setAccuracy: rate(s.setCorrect, s.pairsDone),
        invalid: s.invalid,
        errors: s.error,
        requests: s.requests,
        costUsd: Number(s.costUsd.toFixed(6)),
      },
      'probe progress',
    );
    lastLogged = Date.now();
  };
  return {
    isBar: false,
    status(text) {
      options.stream.write(`${text}\n`);
    },
    update(s) {
      last = s;
      if (Date.now() - lastLogged >= intervalMs) logLine(s);
    },
    stop() {
      if (last !== null && last.done > 0) logLine(last);
    },
  };
}
