#!/usr/bin/env node
import module from 'node:module';

// Node 22.1 and later keep V8's compiled code between runs (in the system's temp folder), which shortens
// every start after the first; Node 20 lacks it and starts as before. It applies only to modules loaded
// after this line, hence the dynamic imports below. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
(module as { enableCompileCache?: () => unknown }).enableCompileCache?.();

const { loadDotEnv } = await import('./env-file.js');
const { runCli } = await import('./cli/run.js');
loadDotEnv();
process.exitCode = await runCli(process.argv.slice(2));
