import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { build } from 'esbuild';

/**
 * The browser code: TypeScript in src/web/client, bundled by esbuild in memory when the server starts
 * (about a second, once per process), with ECharts and the shared chart spec (src/charts) bundled in. Nothing
 * is written to disk.
 */

export interface Asset {
  body: Buffer;
  contentType: string;
}

export const PAGES = ['home', 'host', 'join', 'stats', 'baseline'] as const;
export type PageName = (typeof PAGES)[number];

/** The client sources, beside this file when run from src/ and in src/ when run from a build in dist/. */
function clientDir(): string {
  const candidates = [
    path.resolve(import.meta.dirname, 'client'),
    path.resolve(import.meta.dirname, '..', '..', 'src', 'web', 'client'),
  ];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'host.ts')));
  if (found === undefined)
    throw new Error(`web client sources not found (looked in ${candidates.join(', ')})`);
  return found;
}

async function bundle(): Promise<Map<string, Asset>> {
  const dir = clientDir();
  const result = await build({
    entryPoints: PAGES.map((page) => path.join(dir, `${page}.ts`)),
    bundle: true,
    splitting: true,
    format: 'esm',
    target: 'es2020',
    minify: true,
    write: false,
    outdir: '/assets',
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    logLevel: 'silent',
    legalComments: 'linked',
  });
  const assets = new Map<string, Asset>();
  for (const file of result.outputFiles) {
    const name = path.basename(file.path);
    const contentType = name.endsWith('.js') ? 'text/javascript; charset=utf-8' : 'text/plain; charset=utf-8';
    assets.set(name, { body: Buffer.from(file.contents), contentType });
  }
  assets.set('styles.css', {
    body: await readFile(path.join(dir, 'styles.css')),
    contentType: 'text/css; charset=utf-8',
  });
  return assets;
}

let cached: Promise<Map<string, Asset>> | undefined;

/** The bundled client, built on first use and kept for the life of the process. */
export function clientAssets(): Promise<Map<string, Asset>> {
  cached ??= bundle();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}
