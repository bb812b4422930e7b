// Run after `tsc -p tsconfig.build.json` (`npm run build`): rewrites dist/ so that the npm packages the
// probe path uses are inlined, shared ones in dist/vendor/, instead of loaded file by file at run time.
// Each project module stays its own file at its own path (imports between them untouched), so lazy
// loading and paths relative to a module (`import.meta.dirname`) work as before. Why: Node loads the
// OpenAI SDK's 500-odd modules and zod's 95 one by one; as a few files they load in a fraction of the time
// (see the README, "Benchmarks").
import { readdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');

/**
 * Packages inlined: ES modules only (a CommonJS package would need `require` in ES module output), pure
 * JavaScript (no native addon, no worker or asset file found next to its own code).
 */
const INLINED = new Set([
  'openai',
  '@anthropic-ai/sdk',
  'zod',
  'jsonc-parser',
  'csv-stringify',
  'p-limit',
  'p-retry',
  'yocto-queue',
  'is-network-error',
]);

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

async function moduleFiles(dir) {
  const files = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile() && entry.name.endsWith('.js')) files.push(path.join(entry.parentPath, entry.name));
  }
  return files;
}

const VENDOR = path.join(DIST, 'vendor');
const entryPoints = (await moduleFiles(DIST)).filter((file) => !file.startsWith(VENDOR));
// Bundling output again would point it at chunks this run deletes: the input must be tsc's.
const cli = await readFile(path.join(DIST, 'cli.js'), 'utf8').catch(() => '');
if (cli === '' || cli.includes('// dist/cli.js')) {
  process.stderr.write('dist/ is not fresh tsc output: run `npm run build` (tsc, then this script).\n');
  process.exit(1);
}
await rm(VENDOR, { recursive: true, force: true });
const result = await build({
  entryPoints,
  outdir: DIST,
  outbase: DIST,
  allowOverwrite: true,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // jsonc-parser's `main` is a UMD build that esbuild cannot follow; its `module` is plain ESM.
  mainFields: ['module', 'main'],
  sourcemap: 'linked',
  chunkNames: 'vendor/[name]-[hash]',
  logLevel: 'warning',
  plugins: [
    {
      name: 'inline-listed-packages-only',
      setup(plugin) {
        plugin.onResolve({ filter: /.*/ }, (args) => {
          if (args.kind === 'entry-point') return undefined;
          const fromProject = !args.importer.includes(`${path.sep}node_modules${path.sep}`);
          // The project's own modules stay separate files, imported as tsc wrote them.
          if (fromProject && args.path.startsWith('.')) return { external: true };
          if (args.path.startsWith('.') || args.path.startsWith('/')) return undefined;
          if (args.path.startsWith('node:') || !INLINED.has(packageName(args.path))) {
            return { external: true };
          }
          return undefined;
        });
      },
    },
  ],
});
if (result.errors.length > 0) process.exit(1);
