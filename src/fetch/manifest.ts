import { randomBytes } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { OFFICIAL_FILES } from '../dataset/official-files.js';
import { UserFacingError } from '../errors.js';

/**
 * manifest.json records, for every file `data fetch` put in the data folder, where it came from and
 * its SHA-256. A file is trusted on a later run only if it still hashes to the recorded value.
 */

export const manifestEntrySchema = z.object({
  /** URL the bytes came from (`https://…`, `https://…/x.tar.gz#member`, or `file:///…` for --from). */
  source: z.string().min(1),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/, 'a lowercase hex SHA-256'),
  fetchedAt: z.iso.datetime(),
});
export type ManifestEntry = z.infer<typeof manifestEntrySchema>;

export const attemptSchema = z.object({ source: z.string(), url: z.string(), reason: z.string() });

/** An image the last fetch could not have: what it is and every source's answer, for `data status`. */
export const failureEntrySchema = z.object({
  article: z.string(),
  figure: z.string(),
  rocoPath: z.string(),
  /** As a source stated it (PMC's metadata); null when no source said. */
  licence: z.string().nullable(),
  attempts: z.array(attemptSchema),
  at: z.iso.datetime(),
});
export type FailureEntry = z.infer<typeof failureEntrySchema>;

export const manifestSchema = z.object({
  version: z.literal(1),
  /** Keyed by path relative to the data folder, with forward slashes (`images/20192.jpg`). */
  files: z.record(z.string().min(1), manifestEntrySchema),
  /** Images the last fetch could not have, by the same keys; absent in manifests of older versions. */
  failures: z.record(z.string().min(1), failureEntrySchema).optional(),
});
export type Manifest = z.infer<typeof manifestSchema>;

export function manifestPath(dataDir: string): string {
  return path.join(dataDir, OFFICIAL_FILES.manifest);
}

/** Reads and validates the manifest; a missing one is empty, a damaged one is the user's to remove. */
export async function readManifest(dataDir: string): Promise<Manifest> {
  const file = manifestPath(dataDir);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, files: {} };
    throw err;
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    throw new UserFacingError(
      'MANIFEST_INVALID',
      `${file} is not valid JSON (${(err as Error).message}). Delete it and run \`mediconfusion data fetch\` again; files are re-verified and only missing ones downloaded.`,
    );
  }
  const parsed = manifestSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
    throw new UserFacingError(
      'MANIFEST_INVALID',
      `${file} is not a data fetch manifest${where}: ${issue?.message ?? 'invalid'}. Delete it and run \`mediconfusion data fetch\` again.`,
    );
  }
  return parsed.data;
}

/**
 * Keeps the manifest on disk in step with the run: every change is written (atomically, one write
 * at a time, coalesced) so that an interrupted fetch still knows which files it completed.
 */
export class ManifestWriter {
  private readonly files: Map<string, ManifestEntry>;
  private readonly failures: Map<string, FailureEntry>;
  private queue: Promise<void> = Promise.resolve();
  private scheduled = false;
  private failure: unknown;

  constructor(
    private readonly dataDir: string,
    initial: Manifest,
  ) {
    this.files = new Map(Object.entries(initial.files));
    this.failures = new Map(Object.entries(initial.failures ?? {}));
  }

  get(relativePath: string): ManifestEntry | undefined {
    return this.files.get(relativePath);
  }

  set(relativePath: string, entry: ManifestEntry): void {
    this.files.set(relativePath, entry);
    this.schedule();
  }

  delete(relativePath: string): void {
    if (this.files.delete(relativePath)) this.schedule();
  }

  setFailure(relativePath: string, entry: FailureEntry): void {
    this.failures.set(relativePath, entry);
    this.schedule();
  }

  clearFailure(relativePath: string): void {
    if (this.failures.delete(relativePath)) this.schedule();
  }

  snapshot(): Manifest {
    const byKey = ([a]: [string, unknown], [b]: [string, unknown]) => (a < b ? -1 : a > b ? 1 : 0);
    const files = Object.fromEntries([...this.files.entries()].sort(byKey));
    if (this.failures.size === 0) return { version: 1, files };
    return { version: 1, files, failures: Object.fromEntries([...this.failures.entries()].sort(byKey)) };
  }

  /** Resolves once everything recorded so far is on disk. */
  async flush(): Promise<void> {
    await this.queue;
    if (this.failure !== undefined) throw this.failure;
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    this.queue = this.queue.then(async () => {
      this.scheduled = false;
      try {
        await this.write();
      } catch (err) {
        this.failure ??= err;
      }
    });
  }

  private async write(): Promise<void> {
    const file = manifestPath(this.dataDir);
    const temp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
    await writeFile(temp, `${JSON.stringify(this.snapshot(), null, 2)}\n`);
    await rename(temp, file);
  }
}
