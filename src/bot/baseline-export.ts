import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { create } from 'tar';
import {
  type BaselineExport,
  buildExport,
  CROWD_MODEL_NAME,
  type ExportFile,
  recordedRunAnswers,
  writeExportFiles,
} from '../baseline/index.js';
import type { PairSet } from '../dataset/model.js';
import type { Logger } from '../logger.js';
import type { Store } from '../store/types.js';

/**
 * `/export` on Discord: the same export as `mediconfusion export --format all`, as message attachments.
 * A message takes at most 10 attachments and the export has more files (one score table per training
 * level), so the message carries the most used files one by one plus every file in one .tar.gz.
 */

/** Files attached on their own, in this order, when they exist. */
export const LOOSE_FILES = [
  'answers.csv',
  'answers.json',
  'report.json',
  `${CROWD_MODEL_NAME}_mc_score.json`,
  'participants.csv',
  'report-accuracy.csv',
] as const;

/** Discord's limit of attachments on one message. */
export const MAX_ATTACHMENTS = 10;

export interface ExportAttachment {
  name: string;
  bytes: Buffer;
}

export interface DiscordExportOptions {
  store: Store;
  set: PairSet;
  secret: string;
  log: Logger;
  /** Count quiz answers (revealed rounds) in the report too. */
  withQuiz: boolean;
  excludeSeen: boolean;
  now?: Date;
}

/**
 * Builds the export with the models of the recorded probe runs (never asked live: an export costs nothing
 * and does not depend on a provider being up), as the CLI does by default.
 */
export async function buildDiscordExport(options: DiscordExportOptions): Promise<BaselineExport> {
  const source = recordedRunAnswers(options.store);
  const ids = [...(await source.knownModels())];
  return buildExport({
    store: options.store,
    set: options.set,
    secret: options.secret,
    format: 'all',
    ...(options.now ? { now: options.now } : {}),
    report: {
      contexts: options.withQuiz ? ['baseline', 'quiz'] : ['baseline'],
      excludeSeenBefore: options.excludeSeen,
      models: { source, ids },
      log: options.log,
    },
  });
}

/** `mediconfusion-baseline-official-20250601-1430`: the bundle's name and its top folder. */
export function bundleName(setName: string, at: Date): string {
  const safeSet = setName.replace(/[^A-Za-z0-9_-]+/g, '-').slice(0, 40) || 'set';
  const stamp = at.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 13);
  return `mediconfusion-baseline-${safeSet}-${stamp}`;
}

/** Every file of the export in one gzipped tar, under a folder named like the bundle. */
export async function tarGzBundle(name: string, files: readonly ExportFile[]): Promise<Buffer> {
  const dir = await mkdtemp(path.join(tmpdir(), 'mediconfusion-export-'));
  try {
    await writeExportFiles(path.join(dir, name), files);
    const chunks: Buffer[] = [];
    const pack = create({ gzip: true, cwd: dir, portable: true }, [name]);
    for await (const chunk of pack) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The attachments: the loose files that exist, then the bundle. When they would exceed `sizeLimit` bytes
 * in total, the bundle alone; null when even the bundle is too large (the CLI is then the way).
 */
export async function exportAttachments(
  result: BaselineExport,
  sizeLimit: number,
): Promise<{ attachments: ExportAttachment[]; looseLeftOut: boolean } | null> {
  const at = new Date(result.summary.generatedAt);
  const name = bundleName(result.summary.set, at);
  const bundle: ExportAttachment = { name: `${name}.tar.gz`, bytes: await tarGzBundle(name, result.files) };
  if (bundle.bytes.length > sizeLimit) return null;
  const loose: ExportAttachment[] = [];
  for (const wanted of LOOSE_FILES) {
    const file = result.files.find((f) => f.name === wanted);
    if (file !== undefined)
      loose.push({
        name: file.name,
        bytes: typeof file.content === 'string' ? Buffer.from(file.content, 'utf8') : file.content,
      });
  }
  const all = [...loose.slice(0, MAX_ATTACHMENTS - 1), bundle];
  const total = all.reduce((sum, a) => sum + a.bytes.length, 0);
  if (total > sizeLimit) return { attachments: [bundle], looseLeftOut: true };
  return { attachments: all, looseLeftOut: false };
}
