import { readFile, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import pLimit from 'p-limit';
import { type ImageDict, imageDictSchema, OFFICIAL_FILES } from '../dataset/official-files.js';
import { UserFacingError } from '../errors.js';
import type { Logger } from '../logger.js';
import { type DatasetSources, datasetFiles, type RemoteJsonFile } from './dataset-files.js';
import { commitFile, fileExists, hashFile, ScratchDir, streamToFile, type WrittenFile } from './files.js';
import { DEFAULT_HTTP_SETTINGS, getWithRetry, type HttpSettings, type RetryPolicy } from './http.js';
import { type ImageJob, planImages } from './image-plan.js';
import { ManifestWriter, readManifest } from './manifest.js';
import { DEFAULT_IMAGE_SOURCES, type ImageSourceName } from './source-order.js';
import { bodyStream } from './sources/body.js';
import { LocalDirSource } from './sources/local-dir.js';
import { PmcCloudSource } from './sources/pmc-cloud.js';
import { PmcLegacySource } from './sources/pmc-legacy.js';
import { RocoMirrorSource } from './sources/roco-mirror.js';
import { errorMessage, type ImageSource, type SourceContext, SourceFailure } from './sources/source.js';
import { type Verdict, verifyJpeg, verifyJsonFile } from './verify.js';

export type FetchPhase = 'dataset' | 'images';
export type ItemStatus = 'downloaded' | 'skipped' | 'failed' | 'interrupted';

/** One source tried for one file, and why it did not do. */
export interface Attempt {
  source: string;
  url: string;
  reason: string;
}

export interface ItemResult {
  phase: FetchPhase;
  /** Path relative to the data folder (`images/20192.jpg`), also the manifest key. */
  path: string;
  status: ItemStatus;
  /** Label of the source that delivered it (`PMC cloud`, `legacy package`, `local folder`, a host). */
  source?: string;
  url?: string;
  bytes?: number;
  /** Sources that failed, in the order tried; a downloaded file may still list earlier failures. */
  attempts: Attempt[];
  /** Why the copy already on disk was not kept (corrupt, changed since fetched). */
  replaced?: string;
  /** What the file is, for messages (the ROCO path and PMC figure of an image). */
  describes?: string;
  /** The PMC article an image comes from (`PMC3284869`). */
  article?: string;
  /** The article's licence as a source stated it; absent when no source said. */
  licence?: string;
}

export interface FetchSummary {
  dataDir: string;
  items: ItemResult[];
  /** True when the run was stopped (signal) before every file was handled. */
  interrupted: boolean;
}

/** Told about progress as it happens; every member optional. */
export interface FetchObserver {
  phaseStart?(phase: FetchPhase, total: number): void;
  item?(result: ItemResult): void;
  notice?(message: string): void;
  phaseEnd?(phase: FetchPhase): void;
}

export interface FetchSources extends DatasetSources {
  pmcCloudUrl: string;
  pmcLegacyUrl: string;
  /** The Hugging Face dataset viewer API that serves the ROCO mirror. */
  rocoMirrorUrl: string;
  /** The ROCO mirror's dataset repository (`eltorio/ROCO-radiology`). */
  rocoMirrorDataset: string;
}

export interface FetchDataOptions {
  dataDir: string;
  sources: FetchSources;
  concurrency: number;
  only?: FetchPhase | undefined;
  /** Import images from this folder before trying the network. */
  fromDir?: string | undefined;
  /** Network sources in the order to try them (default: DEFAULT_IMAGE_SOURCES). */
  imageSources?: readonly ImageSourceName[] | undefined;
  /** Download again even what is present and verified. */
  force?: boolean | undefined;
  signal?: AbortSignal | undefined;
  http?: { retry?: Partial<RetryPolicy>; idleTimeoutMs?: number; userAgent?: string } | undefined;
  observer?: FetchObserver | undefined;
  /** Where errors that are bugs rather than unavailable files are logged with their stack. */
  log?: Logger | undefined;
  now?: () => Date;
}

/**
 * Downloads the official JSON files and the 228 figures into the data folder. Never throws for a
 * file that could not be had: every file ends in the summary as downloaded, skipped, failed or
 * interrupted. Throws UserFacingError only for what the user must fix first (missing image_dict.json
 * with `--only images`, a `--from` folder that does not exist, a damaged manifest).
 */
export async function fetchData(options: FetchDataOptions): Promise<FetchSummary> {
  const run = await FetchRun.start(options);
  try {
    return await run.execute();
  } finally {
    await run.finish();
  }
}

class FetchRun {
  private readonly items: ItemResult[] = [];
  private readonly limit: ReturnType<typeof pLimit>;
  private readonly http: HttpSettings;
  private readonly observer: FetchObserver;
  private readonly licences = new Map<string, string>();

  private constructor(
    private readonly options: FetchDataOptions,
    private readonly manifest: ManifestWriter,
    private readonly scratch: ScratchDir,
  ) {
    this.limit = pLimit(options.concurrency);
    this.observer = options.observer ?? {};
    this.http = {
      retry: { ...DEFAULT_HTTP_SETTINGS.retry, ...options.http?.retry },
      idleTimeoutMs: options.http?.idleTimeoutMs ?? DEFAULT_HTTP_SETTINGS.idleTimeoutMs,
      userAgent: options.http?.userAgent ?? DEFAULT_HTTP_SETTINGS.userAgent,
    };
  }

  static async start(options: FetchDataOptions): Promise<FetchRun> {
    if (options.fromDir !== undefined && !(await isDirectory(options.fromDir))) {
      throw new UserFacingError(
        'FROM_DIR_MISSING',
        `--from ${options.fromDir}: no such folder. Point it at the folder holding <local id>.jpg files (the official script's data/images) or at a ROCO checkout.`,
      );
    }
    const manifest = new ManifestWriter(options.dataDir, await readManifest(options.dataDir));
    const scratch = await ScratchDir.create(options.dataDir);
    return new FetchRun(options, manifest, scratch);
  }

  async execute(): Promise<FetchSummary> {
    if (this.options.only !== 'images') await this.fetchDatasetFiles();
    if (this.options.only !== 'dataset') await this.fetchImages();
    return {
      dataDir: this.options.dataDir,
      items: this.items,
      interrupted: this.aborted || this.items.some((item) => item.status === 'interrupted'),
    };
  }

  async finish(): Promise<void> {
    try {
      await this.manifest.flush();
    } finally {
      await this.scratch.remove();
    }
  }

  private get aborted(): boolean {
    return this.options.signal?.aborted ?? false;
  }

  private get sourceContext(): SourceContext {
    return {
      http: this.http,
      scratch: this.scratch,
      signal: this.options.signal,
      licences: this.licences,
    };
  }

  /** Moves a verified download to `name` in the data folder and records it in the manifest under that name. */
  private async keep(temp: string, name: string, url: string, written: WrittenFile): Promise<void> {
    await commitFile(temp, path.join(this.options.dataDir, name));
    this.manifest.clearFailure(name);
    this.manifest.set(name, {
      source: url,
      bytes: written.bytes,
      sha256: written.sha256,
      fetchedAt: this.now(),
    });
  }

  private record(result: ItemResult): ItemResult {
    this.items.push(result);
    this.observer.item?.(result);
    return result;
  }

  // ---- dataset files -------------------------------------------------------------------------

  private async fetchDatasetFiles(): Promise<void> {
    const files = datasetFiles(this.options.sources);
    this.observer.phaseStart?.('dataset', files.length);
    await Promise.all(files.map((file) => this.limit(() => this.fetchJsonFile(file))));
    this.observer.phaseEnd?.('dataset');
  }

  private async fetchJsonFile(file: RemoteJsonFile): Promise<ItemResult> {
    const base: ItemResult = { phase: 'dataset', path: file.name, status: 'interrupted', attempts: [] };
    if (this.aborted) return this.record(base);
    const finalPath = path.join(this.options.dataDir, file.name);
    const replaced = await this.distrustExisting(file.name, finalPath, () =>
      verifyJsonFile(finalPath, file.schema),
    );
    if (replaced === null) return this.record({ ...base, status: 'skipped' });

    const source = hostOf(file.url);
    const temp = this.scratch.file(file.name);
    try {
      const written = await getWithRetry(
        file.url,
        (response, timer) => streamToFile(bodyStream(response, timer), temp),
        { settings: this.http, signal: this.options.signal },
      );
      const verdict = await verifyJsonFile(temp, file.schema);
      if (!verdict.ok) {
        return this.record({
          ...base,
          status: 'failed',
          ...withReplaced(replaced),
          attempts: [{ source, url: file.url, reason: `the download is ${verdict.reason}` }],
        });
      }
      await this.keep(temp, file.name, file.url, written);
      return this.record({
        ...base,
        status: 'downloaded',
        source,
        url: file.url,
        bytes: written.bytes,
        ...withReplaced(replaced),
      });
    } catch (err) {
      if (this.aborted) return this.record(base);
      return this.record({
        ...base,
        status: 'failed',
        ...withReplaced(replaced),
        attempts: [{ source, url: file.url, reason: errorMessage(err) }],
      });
    } finally {
      await rm(temp, { force: true });
    }
  }

  // ---- images --------------------------------------------------------------------------------

  private async fetchImages(): Promise<void> {
    const dict = await this.loadImageDict();
    if (dict === null) {
      // Its own phase, so that progress does not count it as a fifth of four dataset files.
      this.observer.phaseStart?.('images', 1);
      this.record({
        phase: 'images',
        path: `${OFFICIAL_FILES.imagesDir}/`,
        status: this.aborted ? 'interrupted' : 'failed',
        attempts: [
          {
            source: 'image_dict.json',
            url: '(none)',
            reason: 'image_dict.json could not be fetched, so no image was attempted',
          },
        ],
      });
      this.observer.phaseEnd?.('images');
      return;
    }
    const { jobs, unusable } = planImages(dict);
    this.observer.phaseStart?.('images', jobs.length + unusable.length);
    for (const entry of unusable) {
      this.record({
        phase: 'images',
        path: entry.rocoPath,
        status: 'failed',
        attempts: [{ source: 'image_dict.json', url: '(none)', reason: entry.reason }],
      });
    }

    // First decide what is already in place, so packages shared by several figures are read once.
    const checks = await Promise.all(
      jobs.map((job) =>
        this.limit(async () => {
          if (this.aborted) return { job, replaced: undefined };
          const finalPath = path.join(this.options.dataDir, job.target);
          const replaced = await this.distrustExisting(job.target, finalPath, () => verifyJpeg(finalPath));
          if (replaced === null) {
            this.manifest.clearFailure(job.target);
            this.record({
              phase: 'images',
              path: job.target,
              status: 'skipped',
              attempts: [],
              describes: describe(job),
            });
          }
          return { job, replaced };
        }),
      ),
    );
    const pending = checks.filter((check) => check.replaced !== null);

    const wanted = new Map<string, Set<string>>();
    for (const { job } of pending) {
      const set = wanted.get(job.article) ?? new Set<string>();
      set.add(job.fileName);
      wanted.set(job.article, set);
    }
    const sources: ImageSource[] = [];
    if (this.options.fromDir !== undefined) sources.push(new LocalDirSource(this.options.fromDir));
    for (const name of this.options.imageSources ?? DEFAULT_IMAGE_SOURCES) {
      sources.push(this.networkSource(name, wanted));
    }

    await Promise.all(
      pending.map(({ job, replaced }) =>
        this.limit(() => this.fetchImage(job, sources, replaced ?? undefined)),
      ),
    );
    this.observer.phaseEnd?.('images');
  }

  private networkSource(name: ImageSourceName, wanted: Map<string, Set<string>>): ImageSource {
    const { sources } = this.options;
    switch (name) {
      case 'pmc-cloud':
        return new PmcCloudSource(sources.pmcCloudUrl, this.sourceContext);
      case 'roco-mirror':
        return new RocoMirrorSource(
          { baseUrl: sources.rocoMirrorUrl, dataset: sources.rocoMirrorDataset },
          this.sourceContext,
        );
      case 'pmc-legacy':
        return new PmcLegacySource(sources.pmcLegacyUrl, this.sourceContext, wanted);
    }
  }

  /**
   * The image list. When this run also fetched the dataset, a failure there is already in the
   * summary and the images are reported as not attempted; with `--only images` it is the user's to fix.
   */
  private async loadImageDict(): Promise<ImageDict | null> {
    const file = path.join(this.options.dataDir, OFFICIAL_FILES.imageDict);
    const loaded = await readImageDict(file);
    if (loaded.ok) return loaded.dict;
    if (this.options.only !== 'images') return null;
    throw new UserFacingError(
      loaded.missing ? 'DATASET_MISSING' : 'DATASET_INVALID',
      loaded.missing
        ? `${file} is missing, and the images are listed there. Run \`mediconfusion data fetch\` without --only images (or with --only dataset) first.`
        : `${file} ${loaded.reason}. Fetch it again with \`mediconfusion data fetch --only dataset --force\`.`,
    );
  }

  private async fetchImage(
    job: ImageJob,
    sources: ImageSource[],
    replaced: string | undefined,
  ): Promise<ItemResult> {
    const base: ItemResult = {
      phase: 'images',
      path: job.target,
      status: 'interrupted',
      attempts: [],
      describes: describe(job),
      article: job.article,
      ...withReplaced(replaced),
    };
    const attempts: Attempt[] = [];
    for (const source of sources) {
      if (this.aborted) return this.record({ ...base, attempts });
      const temp = this.scratch.file(`${job.localId}.jpg`);
      try {
        const { url } = await source.fetch(job, temp);
        const verdict = await verifyJpeg(temp);
        if (!verdict.ok) {
          attempts.push({ source: source.label, url, reason: `not a usable JPEG: ${verdict.reason}` });
          continue;
        }
        const written = await hashFile(temp);
        await this.keep(temp, job.target, url, written);
        return this.record({
          ...base,
          status: 'downloaded',
          source: source.label,
          url,
          bytes: written.bytes,
          attempts,
        });
      } catch (err) {
        if (this.aborted) return this.record({ ...base, attempts });
        if (!(err instanceof SourceFailure)) {
          this.options.log?.error(
            { err, path: job.target, source: source.label },
            'unexpected error fetching an image',
          );
        }
        attempts.push({
          source: source.label,
          url: err instanceof SourceFailure ? err.url : '(unknown)',
          reason: errorMessage(err),
        });
      } finally {
        await rm(temp, { force: true });
      }
    }
    const licence = this.licences.get(job.article);
    this.manifest.setFailure(job.target, {
      article: job.article,
      figure: job.fileName,
      rocoPath: job.rocoPath,
      licence: licence ?? null,
      attempts,
      at: this.now(),
    });
    return this.record({
      ...base,
      status: 'failed',
      attempts,
      ...(licence === undefined ? {} : { licence }),
    });
  }

  // ---- shared --------------------------------------------------------------------------------

  /**
   * null when the file on disk can be kept (it verifies, and has the bytes the manifest recorded);
   * otherwise why it is fetched again, or undefined when there is nothing worth saying (no file
   * yet, or --force on a sound file).
   */
  private async distrustExisting(
    key: string,
    file: string,
    verify: () => Promise<Verdict>,
  ): Promise<string | null | undefined> {
    if (!(await fileExists(file))) return undefined;
    const force = this.options.force === true;
    let reason: string;
    const verdict = await verify();
    if (verdict.ok) {
      const recorded = this.manifest.get(key);
      if (!recorded) return force ? undefined : NOT_RECORDED;
      const { sha256 } = await hashFile(file);
      if (sha256 === recorded.sha256) return force ? undefined : null;
      reason = 'had changed since it was fetched (SHA-256 differs from manifest.json)';
    } else {
      reason = `was corrupt (${verdict.reason})`;
    }
    this.manifest.delete(key);
    this.observer.notice?.(`${key} ${reason}; fetching it again`);
    return reason;
  }

  private now(): string {
    return (this.options.now?.() ?? new Date()).toISOString();
  }
}

/** A file put there by hand: not alarming, but not trusted either (use --from to import such files). */
export const NOT_RECORDED = 'was not recorded in manifest.json';

function withReplaced(replaced: string | undefined): { replaced?: string } {
  return replaced === undefined ? {} : { replaced };
}

function describe(job: ImageJob): string {
  return `${job.rocoPath}, ${job.article}/${job.fileName}`;
}

function hostOf(url: string): string {
  try {
    return new URL(url).host || url;
  } catch {
    return url;
  }
}

async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

type LoadedImageDict = { ok: true; dict: ImageDict } | { ok: false; missing: boolean; reason: string };

export async function readImageDict(file: string): Promise<LoadedImageDict> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    return { ok: false, missing: true, reason: errorMessage(err) };
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return { ok: false, missing: false, reason: `is not valid JSON (${errorMessage(err)})` };
  }
  const parsed = imageDictSchema.safeParse(data);
  if (parsed.success) return { ok: true, dict: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  return {
    ok: false,
    missing: false,
    reason: `is not a valid image_dict.json${where}: ${issue?.message ?? 'invalid'}`,
  };
}
