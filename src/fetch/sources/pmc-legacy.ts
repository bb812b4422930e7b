import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { Parser, type ReadEntry } from 'tar';
import { getWithRetry } from '../http.js';
import type { ImageJob } from '../image-plan.js';
import { bodyStream, joinUrl } from './body.js';
import { errorMessage, type ImageSource, Memo, type SourceContext, SourceFailure } from './source.js';

/**
 * The legacy PMC Open Access packages (`oa_package/25/da/PMC3284869.tar.gz`, the links in
 * image_dict.json), rebased onto a configurable mirror because NLM moved them under `deprecated/`
 * in April 2026 and removes them in August 2026. A package is streamed through gunzip and the tar
 * parser once per article; only the wanted figures are written out, everything else is skipped.
 */
export class PmcLegacySource implements ImageSource {
  readonly label = 'legacy package';
  private readonly packages = new Memo<Map<string, string>>();

  constructor(
    private readonly baseUrl: string,
    private readonly ctx: SourceContext,
    /** Every figure this run may need per article, so a package shared by two figures is read once. */
    private readonly wanted: ReadonlyMap<string, ReadonlySet<string>>,
  ) {}

  packageUrl(job: ImageJob): string | null {
    return job.legacyPackage ? joinUrl(this.baseUrl, job.legacyPackage) : null;
  }

  async fetch(job: ImageJob, tempFile: string): Promise<{ url: string }> {
    const url = this.packageUrl(job);
    if (!url) throw new SourceFailure('image_dict.json gives no oa_package link for it', '(none)');
    const wanted = this.wanted.get(job.article) ?? new Set([job.fileName]);
    const extracted = await this.packages
      .get(job.article, () => this.extract(url, job.article, wanted))
      .catch((err: unknown) => {
        throw new SourceFailure(errorMessage(err), url, { cause: err });
      });
    const member = extracted.get(job.fileName);
    if (!member) throw new SourceFailure(`${job.fileName} is not in the package`, url);
    extracted.delete(job.fileName);
    await rename(member, tempFile);
    return { url: `${url}#${job.article}/${job.fileName}` };
  }

  /** Streams the package and writes the wanted members to scratch files: file name -> scratch path. */
  private async extract(
    url: string,
    article: string,
    wanted: ReadonlySet<string>,
  ): Promise<Map<string, string>> {
    return getWithRetry(
      url,
      async (response, timer) => {
        const written = new Map<string, string>();
        const outputs: WriteStream[] = [];
        const parser = new Parser({
          strict: true,
          onReadEntry: (entry: ReadEntry) => {
            const name = memberName(entry.path, article, wanted);
            if (entry.type !== 'File' || name === null || written.has(name)) {
              entry.resume();
              return;
            }
            const file = this.ctx.scratch.file(`${article}-${name}`);
            written.set(name, file);
            const out = createWriteStream(file);
            outputs.push(out);
            entry.pipe(out);
          },
        });
        try {
          await pipeline(bodyStream(response, timer), parser as unknown as Writable);
          await Promise.all(outputs.map((out) => finished(out)));
        } catch (err) {
          // A member cut off mid-stream never ends by itself.
          for (const out of outputs) out.destroy();
          await Promise.allSettled(outputs.map((out) => finished(out)));
          await Promise.all([...written.values()].map((file) => rm(file, { force: true })));
          throw err;
        }
        return written;
      },
      { settings: this.ctx.http, signal: this.ctx.signal },
    );
  }
}

/** The figure a tar member is, if wanted: `PMC123/fig.jpg` (the official layout), or the same name elsewhere. */
function memberName(entryPath: string, article: string, wanted: ReadonlySet<string>): string | null {
  const normalized = entryPath.replace(/^\.\//, '');
  const relative = normalized.startsWith(`${article}/`) ? normalized.slice(article.length + 1) : normalized;
  if (wanted.has(relative)) return relative;
  const base = path.posix.basename(normalized);
  return wanted.has(base) ? base : null;
}
