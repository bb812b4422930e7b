import { UserFacingError } from '../errors.js';
import type { RunRecord } from './records.js';
import type { ProbeStores } from './stores.js';

/**
 * The recorded run a replay reference names (`--model replay:<ref>`, a models-file `run:`): a run id, or
 * the newest import listed under that model name.
 */
export async function findRecordedRun(stores: Pick<ProbeStores, 'runs'>, ref: string): Promise<RunRecord> {
  const direct = await stores.runs.get(ref);
  if (direct !== undefined) return direct;
  const matches: RunRecord[] = [];
  for await (const [, record] of stores.runs.entries()) {
    if (record.kind === 'import' && record.model.id === ref) matches.push(record);
  }
  matches.sort((a, b) => b.startedAt.localeCompare(a.startedAt));
  const newest = matches[0];
  if (newest === undefined) {
    throw new UserFacingError(
      'RUN_UNKNOWN',
      `No recorded run "${ref}" (neither a run id nor an imported model name). See \`mediconfusion probe list\`.`,
    );
  }
  return newest;
}
