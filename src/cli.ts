#!/usr/bin/env node
import { runCli } from './cli/run.js';
import { loadDotEnv } from './env-file.js';

loadDotEnv();
process.exitCode = await runCli(process.argv.slice(2));
