import path from 'node:path';

/** The repository root. */
export const ROOT = path.resolve(import.meta.dirname, '..', '..');
/** The shared read-only data beside the checkout; MEDICONFUSION_SHARED_DIR names it for a checkout elsewhere. */
const SHARED_DIR = process.env.MEDICONFUSION_SHARED_DIR ?? path.resolve(ROOT, '..', 'shared');
/** The official MediConfusion files (read-only; never copied into the repo). */
export const SHARED_DATASET_DIR = path.resolve(SHARED_DIR, 'mediconfusion');
/** Official scoring outputs used as golden tests. */
export const SHARED_SCORING_CASES_DIR = path.resolve(SHARED_DIR, 'scoring-cases');
/** Discord's published OpenAPI description. */
export const SHARED_DISCORD_SPEC = path.resolve(SHARED_DIR, 'discord-api-spec', 'openapi.json');
