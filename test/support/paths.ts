import path from 'node:path';

/** The repository root. */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** The official MediConfusion files, beside the checkout (read-only; never copied into the repo). */
export const SHARED_DATASET_DIR = path.resolve(ROOT, '..', 'shared', 'mediconfusion');
/** Official scoring outputs used as golden tests. */
export const SHARED_SCORING_CASES_DIR = path.resolve(ROOT, '..', 'shared', 'scoring-cases');
/** Discord's published OpenAPI description. */
export const SHARED_DISCORD_SPEC = path.resolve(ROOT, '..', 'shared', 'discord-api-spec', 'openapi.json');
