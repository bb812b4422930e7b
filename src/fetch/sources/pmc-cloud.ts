import { XMLParser } from 'fast-xml-parser';
import { z } from 'zod';
import { streamToFile } from '../files.js';
import { getWithRetry, PermanentError, TransientError } from '../http.js';
import type { ImageJob } from '../image-plan.js';
import { bodyStream, bodyText, joinUrl } from './body.js';
import { errorMessage, type ImageSource, Memo, type SourceContext, SourceFailure } from './source.js';

/**
 * PMC's cloud service (the public `pmc-oa-opendata` S3 bucket, layout of 2026): one prefix per
 * article version, `PMC3284869.1/`, holding `PMC3284869.1.json` (metadata whose `media_urls` list
 * every figure as `s3://pmc-oa-opendata/PMC3284869.1/<file>?md5=<hex>`) and the figure files under
 * their original names. The versions of an article are found with S3's ListObjectsV2
 * (`?list-type=2&prefix=PMC3284869.&delimiter=/`); the newest that lists the figure is used.
 */

const listingSchema = z.object({
  ListBucketResult: z.object({
    IsTruncated: z.string().optional(),
    NextContinuationToken: z.string().optional(),
    CommonPrefixes: z.array(z.object({ Prefix: z.string() })).optional(),
  }),
});

export const articleMetadataSchema = z.looseObject({
  pmcid: z.string().optional(),
  version: z.number().int().optional(),
  media_urls: z.array(z.string()).nullish(),
  /** The article's licence as NLM states it (`CC BY`, `CC BY-NC`, `NO-CC CODE`). */
  license_code: z.string().nullish(),
});

const xml = new XMLParser({
  ignoreAttributes: true,
  parseTagValue: false,
  isArray: (name) => name === 'CommonPrefixes' || name === 'Contents',
});

export interface MediaFile {
  /** Object key inside the bucket (`PMC3284869.1/1752-1947-6-45-2.jpg`). */
  key: string;
  fileName: string;
  md5: string | null;
}

/** Reads one `media_urls` entry; anything that is not an s3:// object URL is ignored. */
export function parseMediaUrl(value: string): MediaFile | null {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return null;
  }
  if (url.protocol !== 's3:') return null;
  const key = url.pathname.replace(/^\/+/, '');
  const last = key.split('/').pop();
  if (!key || !last) return null;
  let fileName: string;
  try {
    fileName = decodeURIComponent(last);
  } catch {
    fileName = last;
  }
  return { key, fileName, md5: url.searchParams.get('md5') };
}

/** Exact name first; publishers' case (`.JPG`) is the only liberty taken. */
export function findMedia(mediaUrls: readonly string[], fileName: string): MediaFile | null {
  const media = mediaUrls.map(parseMediaUrl).filter((m): m is MediaFile => m !== null);
  return (
    media.find((m) => m.fileName === fileName) ??
    media.find((m) => m.fileName.toLowerCase() === fileName.toLowerCase()) ??
    null
  );
}

export class PmcCloudSource implements ImageSource {
  readonly label = 'PMC cloud';
  private readonly versions = new Memo<string[]>();
  private readonly metadata = new Memo<z.infer<typeof articleMetadataSchema>>();

  constructor(
    private readonly baseUrl: string,
    private readonly ctx: SourceContext,
  ) {}

  listingUrl(article: string, continuation?: string): string {
    const query = new URLSearchParams({ 'list-type': '2', prefix: `${article}.`, delimiter: '/' });
    if (continuation) query.set('continuation-token', continuation);
    return `${this.baseUrl.replace(/\/+$/, '')}/?${query.toString()}`;
  }

  metadataUrl(version: string): string {
    return joinUrl(this.baseUrl, `${version}/${version}.json`);
  }

  async fetch(job: ImageJob, tempFile: string): Promise<{ url: string }> {
    const versions = await this.versions
      .get(job.article, () => this.listVersions(job.article))
      .catch((err: unknown) => {
        throw new SourceFailure(
          `listing the article's versions failed: ${errorMessage(err)}`,
          this.listingUrl(job.article),
        );
      });
    if (versions.length === 0) {
      throw new SourceFailure(`${job.article} is not in the bucket`, this.listingUrl(job.article));
    }
    for (const version of versions) {
      const metadata = await this.metadata
        .get(version, () => this.readMetadata(version))
        .catch((err: unknown) => {
          throw new SourceFailure(
            `reading the article metadata failed: ${errorMessage(err)}`,
            this.metadataUrl(version),
          );
        });
      if (metadata.license_code && !this.ctx.licences.has(job.article)) {
        this.ctx.licences.set(job.article, metadata.license_code);
      }
      const media = findMedia(metadata.media_urls ?? [], job.fileName);
      if (!media) continue;
      const url = joinUrl(this.baseUrl, media.key);
      try {
        await this.download(url, media.md5, tempFile);
      } catch (err) {
        throw new SourceFailure(errorMessage(err), url, { cause: err });
      }
      return { url };
    }
    throw new SourceFailure(
      `${job.fileName} is not among the media files of ${versions.join(', ')}`,
      this.metadataUrl(versions[0] as string),
    );
  }

  /** Version prefixes of the article, newest first (`PMC3284869.2`, `PMC3284869.1`). */
  private async listVersions(article: string): Promise<string[]> {
    const found: number[] = [];
    let continuation: string | undefined;
    do {
      const text = await getWithRetry(
        this.listingUrl(article, continuation),
        bodyText,
        this.requestOptions(),
      );
      const parsed = listingSchema.safeParse(xml.parse(text));
      if (!parsed.success) throw new PermanentError('the bucket listing is not an S3 ListBucketResult');
      const result = parsed.data.ListBucketResult;
      for (const { Prefix } of result.CommonPrefixes ?? []) {
        const match = new RegExp(`^${article}\\.(\\d+)/$`).exec(Prefix);
        if (match?.[1]) found.push(Number(match[1]));
      }
      continuation = result.IsTruncated === 'true' ? result.NextContinuationToken : undefined;
    } while (continuation);
    return [...new Set(found)].sort((a, b) => b - a).map((v) => `${article}.${v}`);
  }

  private async readMetadata(version: string): Promise<z.infer<typeof articleMetadataSchema>> {
    const text = await getWithRetry(this.metadataUrl(version), bodyText, this.requestOptions());
    let data: unknown;
    try {
      data = JSON.parse(text);
    } catch {
      throw new PermanentError('the metadata is not JSON');
    }
    const parsed = articleMetadataSchema.safeParse(data);
    if (!parsed.success) throw new PermanentError('the metadata has no usable media_urls list');
    return parsed.data;
  }

  private async download(url: string, md5: string | null, tempFile: string): Promise<void> {
    await getWithRetry(
      url,
      async (response, timer) => {
        const written = await streamToFile(bodyStream(response, timer), tempFile);
        if (md5 && written.md5 !== md5.toLowerCase()) {
          throw new TransientError(`the download's MD5 ${written.md5} differs from the bucket's ${md5}`);
        }
      },
      this.requestOptions(),
    );
  }

  private requestOptions() {
    return { settings: this.ctx.http, signal: this.ctx.signal };
  }
}
