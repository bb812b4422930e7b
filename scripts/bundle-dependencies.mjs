// Run after `tsc -p tsconfig.build.json` (`npm run build`): rewrites dist/ (or the folder given as its
// argument, tsc's `--outDir`, which must lie inside the project so that node_modules/ is found) so that the npm packages the
// probe path uses are inlined, shared ones in dist/vendor/, instead of loaded file by file at run time.
// Each project module stays its own file at its own path (imports between them untouched), so lazy
// loading and paths relative to a module (`import.meta.dirname`) work as before. Why: Node loads the
// OpenAI SDK's 500-odd modules and zod's 95 one by one; as a few files they load in a fraction of the time
// (see the README, "Benchmarks").
import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.resolve(ROOT, process.argv[2] ?? 'dist');

/**
 * Packages inlined: pure JavaScript (no native addon, no worker or asset file found next to its own code).
 * yaml and commander are CommonJS: esbuild turns their `require` of Node's built-in modules into a helper
 * that needs a real `require`, which `withRequire` below gives the chunk that defines it.
 */
const INLINED = new Set([
  'openai',
  '@anthropic-ai/sdk',
  'zod',
  'yaml',
  'commander',
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
// esbuild heads each output with a comment naming its input (`// dist/cli.js`); tsc writes none.
if (cli === '' || /^\/\/ \S*cli\.js$/m.test(cli)) {
  process.stderr.write(`${DIST} is not fresh tsc output: run \`npm run build\` (tsc, then this script).\n`);
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
    {
      // zod's `z` namespace re-exports all of its 60-odd message locales, so none can be left out by
      // tree-shaking, and they are half of zod's code: every start would parse them. The project's
      // messages are English (zod's default, which zod sets from `locales/en.js` directly).
      name: 'zod-english-only',
      setup(plugin) {
        plugin.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, (args) => ({
          contents: 'export { default as en } from "./en.js";\n',
          resolveDir: path.dirname(args.path),
        }));
      },
    },
  ],
});
if (result.errors.length > 0) process.exit(1);

// esbuild's `__require` helper (for a CommonJS package's `require('node:fs')`) throws in an ES module
// unless a `require` is in scope: give one to each file that defines the helper. Prepended to the first
// line, so the source map's line numbers stay right.
const REQUIRE_HELPER = 'var __require = ';
for (const file of await moduleFiles(DIST)) {
  const code = await readFile(file, 'utf8');
  if (!code.includes(REQUIRE_HELPER)) continue;
  const withRequire = `import { createRequire as __createRequire } from "node:module"; var require = __createRequire(import.meta.url); ${code}`;
  await writeFile(file, withRequire);
}
