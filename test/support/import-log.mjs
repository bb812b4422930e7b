// Preloaded with `node --import ./test/support/import-log.mjs`: records every module the process loads
// (resolved URL, one a line) in the file named by IMPORT_LOG, for the lazy-loading tests.
import { register } from 'node:module';

if (process.env.IMPORT_LOG) {
  register('./import-log-hooks.mjs', import.meta.url, { data: { file: process.env.IMPORT_LOG } });
}
