import type { ScratchDir } from '../files.js';
import type { HttpSettings } from '../http.js';
import type { ImageJob } from '../image-plan.js';

/** Why one source could not provide a figure, with the address it tried (shown in the summary). */
export class SourceFailure extends Error {
  override readonly name = 'SourceFailure';
  constructor(
    message: string,
    readonly url: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SourceContext {
  http: HttpSettings;
  scratch: ScratchDir;
  signal?: AbortSignal | undefined;
  /** Article -> licence as a source states it (`CC BY`), filled in as sources read article metadata. */
  licences: Map<string, string>;
}

/** A place figures can come from. Implementations throw SourceFailure when they cannot provide one. */
export interface ImageSource {
  /** Short name for summaries and the manifest (`PMC cloud`). */
  readonly label: string;
  /** Writes the job's figure to `tempFile` and returns the exact address it came from. */
  fetch(job: ImageJob, tempFile: string): Promise<{ url: string }>;
}

/** Shares one in-flight or finished computation per key (per article: listings, packages). */
export class Memo<T> {
  private readonly entries = new Map<string, Promise<T>>();

  get(key: string, compute: () => Promise<T>): Promise<T> {
    let entry = this.entries.get(key);
    if (!entry) {
      entry = compute();
      // Callers handle the rejection; this only stops an unobserved one from crashing the process.
      entry.catch(() => undefined);
      this.entries.set(key, entry);
    }
    return entry;
  }
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
