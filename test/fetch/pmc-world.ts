import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create } from 'tar';
import type { FetchSources } from '../../src/fetch/fetch-data.js';
import { SHARED_DATASET_DIR } from '../support/paths.js';
import { placeholderJpeg } from '../support/placeholder-images.js';
import { type Route, type StaticServer, startStaticServer } from '../support/static-server.js';

/**
 * A loopback stand-in for every place `data fetch` downloads from, built from the official
 * image_dict.json and placeholder JPEGs:
 *   /hf/dataset.json, /hf/image_dict.json             the Hugging Face dataset
 *   /gh/statistics.json, /gh/answering.json            the GitHub files
 *   /s3/?list-type=2&prefix=PMC1.&delimiter=/          S3 ListObjectsV2 of the PMC cloud bucket
 *   /s3/PMC1.1/PMC1.1.json, /s3/PMC1.1/<figure>        one folder per article version
 *   /legacy/25/da/PMC1.tar.gz                          legacy packages: PMC1/<figure>, a decoy, the nxml
 *   /hf-viewer/filter?dataset=…&split=train&where=…    Hugging Face dataset viewer /filter over a ROCO mirror
 *   /hf-viewer/cached-assets/…/image.jpg?Expires=…     the signed image URLs its rows point at
 */

export interface WorldImage {
  rocoPath: string;
  localId: string;
  article: string;
  fileName: string;
  /** `25/da/PMC3284869.tar.gz` */
  legacyPackage: string;
}

export interface PmcWorldOptions {
  /** Articles the cloud bucket does not have (an empty listing). */
  notInCloud?: Iterable<string>;
  /** Articles with no legacy package (404). */
  notInLegacy?: Iterable<string>;
  /**
   * Figures (by local id) the cloud leaves out of their article's media_urls, as NLM does when a
   * publisher's licence does not permit redistribution; their articles' licence_code says `NO-CC CODE`.
   */
  figuresNotInCloud?: Iterable<string>;
  /** Figures (by local id) the ROCO mirror has no row for. */
  notInMirror?: Iterable<string>;
  /** The dataset viewer answers `partial: true` (it searched only part of a large dataset). */
  mirrorPartial?: boolean;
  /** Articles with versions 1 and 2 where only version 1 lists the figure. */
  figureOnlyInVersion1?: Iterable<string>;
  /** Articles whose listing comes in two pages (IsTruncated + continuation token). */
  paginatedListing?: Iterable<string>;
  latencyMs?: number;
}

export interface PmcWorld {
  server: StaticServer;
  sources: FetchSources;
  /** Environment for runCli pointing every source at the server. */
  env: Record<string, string>;
  images: WorldImage[];
  jpeg(localId: string): Buffer;
  figurePath(image: WorldImage): string;
  metadataPath(article: string, version?: number): string;
  legacyPath(image: WorldImage): string;
  /** Where the ROCO mirror's signed image URL for a figure points (without its query). */
  mirrorPath(image: WorldImage): string;
  /** ListObjectsV2 requests seen per article. */
  listings(article: string): number;
  close(): Promise<void>;
}

interface Assets {
  images: WorldImage[];
  jpegs: Map<string, Buffer>;
  packages: Map<string, Buffer>;
}

let assets: Promise<Assets> | undefined;

async function tarGz(cwd: string, entries: string[]): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const pack = create({ gzip: true, cwd, portable: true }, entries);
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** Placeholders and packages are the same for every world, so they are made once per test file. */
function buildAssets(): Promise<Assets> {
  assets ??= (async () => {
    const dict = JSON.parse(
      await readFile(path.join(SHARED_DATASET_DIR, 'image_dict.json'), 'utf8'),
    ) as Record<string, { local: number | string; dlink: string; file_name: string }>;
    const images: WorldImage[] = Object.entries(dict).map(([rocoPath, entry]) => {
      const match = /\/oa_package\/(.+\/(PMC\d+)\.tar\.gz)$/.exec(entry.dlink);
      if (!match?.[1] || !match[2]) throw new Error(`unexpected dlink ${entry.dlink}`);
      return {
        rocoPath,
        localId: String(entry.local),
        article: match[2],
        fileName: entry.file_name,
        legacyPackage: match[1],
      };
    });
    const jpegs = new Map<string, Buffer>();
    for (const image of images) jpegs.set(image.localId, await placeholderJpeg(image.localId));

    const work = await mkdtemp(path.join(tmpdir(), 'pmc-packages-'));
    const packages = new Map<string, Buffer>();
    try {
      const byArticle = groupByArticle(images);
      for (const [article, figures] of byArticle) {
        await mkdir(path.join(work, article));
        for (const figure of figures) {
          await writeFile(path.join(work, article, figure.fileName), jpegs.get(figure.localId) as Buffer);
        }
        await writeFile(
          path.join(work, article, 'decoy-g001.jpg'),
          await placeholderJpeg(`decoy-${article}`),
        );
        await writeFile(path.join(work, article, `${article}.nxml`), `<article id="${article}"/>`);
        packages.set(article, await tarGz(work, [article]));
      }
    } finally {
      await rm(work, { recursive: true, force: true });
    }
    return { images, jpegs, packages };
  })();
  return assets;
}

function groupByArticle(images: WorldImage[]): Map<string, WorldImage[]> {
  const groups = new Map<string, WorldImage[]>();
  for (const image of images) groups.set(image.article, [...(groups.get(image.article) ?? []), image]);
  return groups;
}

/** The 228 figures of the official image_dict.json, as the fake sources serve them. */
export async function worldImages(): Promise<WorldImage[]> {
  return (await buildAssets()).images;
}

const ROCO_MIRROR_DATASET = 'roco-mirror/ROCO-radiology';

function mirrorImagePath(image: WorldImage): string {
  const split = image.rocoPath.split('/')[0];
  return `/hf-viewer/cached-assets/${ROCO_MIRROR_DATASET}/--/default/${split}/${image.localId}/image/image.jpg`;
}

const md5 = (data: Buffer): string => createHash('md5').update(data).digest('hex');

export async function startPmcWorld(options: PmcWorldOptions = {}): Promise<PmcWorld> {
  const { images, jpegs, packages } = await buildAssets();
  const notInCloud = new Set(options.notInCloud);
  const notInLegacy = new Set(options.notInLegacy);
  const onlyV1 = new Set(options.figureOnlyInVersion1);
  const paginated = new Set(options.paginatedListing);
  const figuresNotInCloud = new Set(options.figuresNotInCloud);
  const notInMirror = new Set(options.notInMirror);
  const restricted = new Set(images.filter((i) => figuresNotInCloud.has(i.localId)).map((i) => i.article));
  const byArticle = groupByArticle(images);
  const listingCounts = new Map<string, number>();

  const routes: Record<string, Route> = {
    '/hf/dataset.json': await readFile(path.join(SHARED_DATASET_DIR, 'dataset.json')),
    '/hf/image_dict.json': await readFile(path.join(SHARED_DATASET_DIR, 'image_dict.json')),
    '/gh/statistics.json': await readFile(path.join(SHARED_DATASET_DIR, 'statistics.json')),
    '/gh/answering.json': await readFile(path.join(SHARED_DATASET_DIR, 'answering-prompts.json')),
  };

  const versionsOf = (article: string): number[] => (onlyV1.has(article) ? [1, 2] : [1]);

  for (const [article, figures] of byArticle) {
    if (!notInLegacy.has(article))
      routes[`/legacy/${figures[0]?.legacyPackage}`] = packages.get(article) as Buffer;
    if (notInCloud.has(article)) continue;
    for (const version of versionsOf(article)) {
      const prefix = `${article}.${version}`;
      const listed = (onlyV1.has(article) && version === 2 ? [] : figures).filter(
        (f) => !figuresNotInCloud.has(f.localId),
      );
      const decoy = await placeholderJpeg(`decoy-${prefix}`);
      const metadata = {
        pmcid: article,
        version,
        license_code: restricted.has(article) ? 'NO-CC CODE' : 'CC BY',
        xml_url: `s3://pmc-oa-opendata/${prefix}/${prefix}.xml?md5=${md5(Buffer.from(prefix))}`,
        media_urls: [
          `s3://pmc-oa-opendata/${prefix}/decoy-g001.jpg?md5=${md5(decoy)}`,
          ...listed.map(
            (f) => `s3://pmc-oa-opendata/${prefix}/${f.fileName}?md5=${md5(jpegs.get(f.localId) as Buffer)}`,
          ),
        ],
      };
      routes[`/s3/${prefix}/${prefix}.json`] = {
        body: JSON.stringify(metadata),
        headers: { 'content-type': 'application/json' },
      };
      routes[`/s3/${prefix}/decoy-g001.jpg`] = decoy;
      for (const figure of listed)
        routes[`/s3/${prefix}/${figure.fileName}`] = jpegs.get(figure.localId) as Buffer;
    }
  }

  routes['/s3/'] = ({ url }) => {
    const prefix = url.searchParams.get('prefix') ?? '';
    if (url.searchParams.get('list-type') !== '2' || url.searchParams.get('delimiter') !== '/') {
      return { status: 400, body: 'this fake bucket only answers ListObjectsV2 with delimiter=/' };
    }
    const article = prefix.replace(/\.$/, '');
    listingCounts.set(article, (listingCounts.get(article) ?? 0) + 1);
    let versions = byArticle.has(article) && !notInCloud.has(article) ? versionsOf(article) : [];
    let continuation = '';
    if (paginated.has(article) && versions.length > 1) {
      const second = url.searchParams.get('continuation-token') === 'page-2';
      continuation = second ? '' : '<NextContinuationToken>page-2</NextContinuationToken>';
      versions = second ? versions.slice(1) : versions.slice(0, 1);
    }
    const commonPrefixes = versions
      .map((v) => `<CommonPrefixes><Prefix>${article}.${v}/</Prefix></CommonPrefixes>`)
      .join('');
    return {
      headers: { 'content-type': 'application/xml' },
      body:
        '<?xml version="1.0" encoding="UTF-8"?>\n' +
        '<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">' +
        `<Name>pmc-oa-opendata</Name><Prefix>${prefix}</Prefix><KeyCount>${versions.length}</KeyCount>` +
        `<MaxKeys>1000</MaxKeys><Delimiter>/</Delimiter><IsTruncated>${continuation ? 'true' : 'false'}</IsTruncated>` +
        `${continuation}${commonPrefixes}</ListBucketResult>`,
    };
  };

  // The dataset viewer's /filter, as documented: SQL-ish where, rows with image cells {src, height, width}.
  const byRocoId = new Map(
    images.map((image) => [
      `${image.rocoPath.split('/')[0]}/${path.posix.basename(image.rocoPath, '.jpg')}`,
      image,
    ]),
  );
  routes['/hf-viewer/filter'] = ({ url }) => {
    const q = url.searchParams;
    if (q.get('dataset') !== ROCO_MIRROR_DATASET || q.get('config') !== 'default') {
      return { status: 404, body: JSON.stringify({ error: 'The dataset does not exist.' }) };
    }
    const where = /^"image_id"='([^']*)'$/.exec(q.get('where') ?? '');
    if (!where?.[1]) return { status: 400, body: JSON.stringify({ error: "Parameter 'where' is invalid" }) };
    const image = byRocoId.get(`${q.get('split')}/${where[1]}`);
    const rows =
      image && !notInMirror.has(image.localId)
        ? [
            {
              row_idx: Number(image.localId),
              row: {
                image: {
                  src: `${server.url}/hf-viewer/cached-assets/${ROCO_MIRROR_DATASET}/--/default/${q.get('split')}/${image.localId}/image/image.jpg?Expires=1&Signature=x`,
                  height: 64,
                  width: 64,
                },
                image_id: where[1],
                caption: `caption of ${where[1]}`,
              },
              truncated_cells: [],
            },
          ]
        : [];
    return {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        features: [
          { feature_idx: 0, name: 'image', type: { _type: 'Image' } },
          { feature_idx: 1, name: 'image_id', type: { dtype: 'string', _type: 'Value' } },
          { feature_idx: 2, name: 'caption', type: { dtype: 'string', _type: 'Value' } },
        ],
        rows,
        num_rows_total: rows.length,
        num_rows_per_page: 100,
        partial: options.mirrorPartial === true,
      }),
    };
  };
  for (const image of images) {
    routes[mirrorImagePath(image)] = jpegs.get(image.localId) as Buffer;
  }

  const server = await startStaticServer({ routes, latencyMs: options.latencyMs ?? 0 });
  const sources: FetchSources = {
    datasetUrl: `${server.url}/hf`,
    statisticsUrl: `${server.url}/gh/statistics.json`,
    promptsUrl: `${server.url}/gh/answering.json`,
    pmcCloudUrl: `${server.url}/s3`,
    pmcLegacyUrl: `${server.url}/legacy`,
    rocoMirrorUrl: `${server.url}/hf-viewer`,
    rocoMirrorDataset: ROCO_MIRROR_DATASET,
  };
  return {
    server,
    sources,
    env: {
      MEDICONFUSION_DATASET_URL: sources.datasetUrl,
      MEDICONFUSION_STATISTICS_URL: sources.statisticsUrl,
      MEDICONFUSION_PROMPTS_URL: sources.promptsUrl,
      PMC_CLOUD_URL: sources.pmcCloudUrl,
      PMC_LEGACY_URL: sources.pmcLegacyUrl,
      ROCO_MIRROR_URL: sources.rocoMirrorUrl,
      ROCO_MIRROR_DATASET: sources.rocoMirrorDataset,
      LOG_LEVEL: 'silent',
    },
    images,
    jpeg: (localId) => {
      const data = jpegs.get(localId);
      if (!data) throw new Error(`no placeholder for ${localId}`);
      return data;
    },
    figurePath: (image) => `/s3/${image.article}.1/${image.fileName}`,
    metadataPath: (article, version = 1) => `/s3/${article}.${version}/${article}.${version}.json`,
    legacyPath: (image) => `/legacy/${image.legacyPackage}`,
    mirrorPath: mirrorImagePath,
    listings: (article) => listingCounts.get(article) ?? 0,
    close: () => server.close(),
  };
}
