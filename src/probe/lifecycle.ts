import { hostname } from 'node:os';
import type { RunRecord, RunStatus } from './records.js';
import type { ProbeStores } from './stores.js';

/**
 * A run's life across processes: which process owns a `running` record, how a dead owner is recognised
 * (a killed process cannot mark its run), and which recorded run the same command continues.
 */

export interface RunOwner {
  pid: number;
  host: string;
}

export function currentOwner(): RunOwner {
  return { pid: process.pid, host: hostname() };
}

/** How often a running process refreshes its heartbeat, and how old one may get before the run counts as dead. */
export const HEARTBEAT_MS = 15_000;
export const STALE_AFTER_MS = 4 * HEARTBEAT_MS;

/** Whether a process with this pid exists on this machine (signal 0 only checks). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LivenessProbe {
  host: string;
  alive(pid: number): boolean;
  now(): number;
}

const localProbe = (): LivenessProbe => ({ host: hostname(), alive: processAlive, now: Date.now });

/**
 * The status to show: a `running` record whose process is gone is `interrupted`. On this machine the
 * process table decides; a run owned by another machine (a shared PostgreSQL or Redis store) counts as
 * dead once its heartbeat is older than STALE_AFTER_MS.
 */
export function effectiveStatus(record: RunRecord, probe: LivenessProbe = localProbe()): RunStatus {
  if (record.status !== 'running') return record.status;
  const owner = record.owner;
  if (owner === undefined || owner === null) return 'running';
  if (owner.host === probe.host) return probe.alive(owner.pid) ? 'running' : 'interrupted';
  const beat = Date.parse(owner.heartbeatAt);
  return Number.isNaN(beat) || probe.now() - beat > STALE_AFTER_MS ? 'interrupted' : 'running';
}

/** A run the same command continues: not finished cleanly, or finished with ERROR images. */
function continuable(record: RunRecord, status: RunStatus): boolean {
  if (status === 'running') return false;
  return status !== 'completed' || record.counts.error > 0;
}

/**
 * The newest recorded probe run with these settings that the same command should continue, or null for a
 * new run. A run still alive in another process is returned as `busy` so the caller can refuse.
 */
export async function findContinuableRun(
  stores: Pick<ProbeStores, 'runs'>,
  settingsKey: string,
  probe: LivenessProbe = localProbe(),
): Promise<{ record: RunRecord; status: RunStatus } | null> {
  let newest: RunRecord | null = null;
  for await (const [, record] of stores.runs.entries()) {
    if (record.kind !== 'probe' || record.settingsKey !== settingsKey) continue;
    if (newest === null || record.startedAt > newest.startedAt) newest = record;
  }
  if (newest === null) return null;
  const status = effectiveStatus(newest, probe);
  if (status === 'running') return { record: newest, status };
  return continuable(newest, status) ? { record: newest, status } : null;
}
