import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BaselineService } from '../src/baseline/service.js';
import { baselineCollections, participantPrefix } from '../src/baseline/store-layout.js';
import { loadOfficialSetStrict } from '../src/dataset/official.js';
import { createLogger } from '../src/logger.js';
import { seededRandom } from '../src/random.js';
import { openStore } from '../src/store/open-store.js';
import type { Store } from '../src/store/types.js';
import { runCliCaptured } from './support/cli.js';
import { SHARED_DATASET_DIR } from './support/paths.js';

const SECRET = 'cli-forget-test-secret-0123456789';
const GONE = '620000000000000001';
const STAYS = '620000000000000002';

let dir: string;
let env: Record<string, string>;

function cli(argv: string[], extraEnv: Record<string, string> = {}) {
  return runCliCaptured(argv, { ...env, ...extraEnv }, dir);
}

async function withStore<T>(fn: (store: Store, service: BaselineService) => Promise<T>): Promise<T> {
  const store = await openStore(env.STORE_URL as string);
  try {
    const set = await loadOfficialSetStrict(SHARED_DATASET_DIR);
    const service = new BaselineService({
      store,
      set,
      secret: SECRET,
      log: createLogger({ level: 'silent' }),
      random: seededRandom(3),
    });
    return await fn(store, service);
  } finally {
    await store.close();
  }
}

async function answersOf(store: Store, service: BaselineService, user: string): Promise<number> {
  let n = 0;
  for await (const _ of baselineCollections(store).answers.entries(
    participantPrefix(service.pseudonymOf(user)),
  ))
    n++;
  return n;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'cli-forget-'));
  env = {
    LOG_LEVEL: 'silent',
    STORE_URL: `sqlite://${path.join(dir, 'store.sqlite')}`,
    BASELINE_SECRET: SECRET,
  };
  await withStore(async (_store, service) => {
    for (const user of [GONE, STAYS]) {
      await service.acceptConsent(user);
      await service.setProfile(user, { trainingLevel: 'fellow' });
      for (let i = 0; i < 2; i++) {
        const next = await service.nextPair(user);
        if (!next.ok || next.question === null) throw new Error('expected a pair');
        for (const slot of [0, 1] as const)
          await service.answer(user, { pairId: next.question.pairId, slot, option: 'A' });
      }
    }
  });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('mediconfusion forget', () => {
  it('refuses an id that is not a Discord or web id, deleting nothing', async () => {
    const run = await cli(['forget', '--user', '@someone']);
    expect(run.code).not.toBe(0);
    expect(run.err).toContain('expected a Discord user id');
    await withStore(async (store, service) => expect(await answersOf(store, service, GONE)).toBe(4));
  });

  it('refuses another secret than the one the baseline was recorded with, deleting nothing', async () => {
    const run = await cli(['forget', '--user', GONE], { BASELINE_SECRET: 'a-different-secret-0123456789' });
    expect(run.code).toBe(1);
    expect(run.err).toContain('BASELINE_SECRET is not the secret');
    await withStore(async (store, service) => expect(await answersOf(store, service, GONE)).toBe(4));
  });

  it('says that nothing was found for an id that never took part, with its own exit code', async () => {
    const run = await cli(['forget', '--user', '620000000000000999']);
    expect(run.code).toBe(3);
    expect(run.err).toContain('Nothing is recorded about 620000000000000999');
    expect(run.out).toBe('');
  });

  it('deletes everything of that person, reports the counts, and leaves others alone', async () => {
    const run = await cli(['forget', '--user', GONE]);
    expect(run.err).toBe('');
    expect(run.code).toBe(0);
    expect(run.out).toContain(`Forgot ${GONE}`);
    expect(run.out).toContain('consent 1, profile 1, baseline answers 4');
    await withStore(async (store, service) => {
      expect(await answersOf(store, service, GONE)).toBe(0);
      expect((await service.consentStatus(GONE)).accepted).toBe(false);
      expect(await answersOf(store, service, STAYS)).toBe(4);
      expect((await service.consentStatus(STAYS)).accepted).toBe(true);
    });
  });

  it('leaves nothing of the forgotten person readable in the SQLite files once the store is closed', async () => {
    const pseudonym = await withStore(async (_store, service) => service.pseudonymOf(GONE));
    const stays = await withStore(async (_store, service) => service.pseudonymOf(STAYS));
    const files = (await readdir(dir)).filter((name) => name.startsWith('store.sqlite'));
    const bytes = Buffer.concat(await Promise.all(files.map((name) => readFile(path.join(dir, name)))));
    // A plain byte scan, as anyone holding a copy of the files could run.
    expect(bytes.includes(pseudonym)).toBe(false);
    expect(bytes.includes(GONE)).toBe(false);
    // The scan does find what was not deleted.
    expect(bytes.includes(stays)).toBe(true);
  });
});
