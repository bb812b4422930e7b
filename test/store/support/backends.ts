import { randomBytes } from 'node:crypto';
import { openStore, type StoreBackend } from '../../../src/store/index.js';

/** A server-backed store the contract suite can run against, or why it cannot. */
export interface ServerBackend {
  backend: Exclude<StoreBackend, 'sqlite'>;
  /** Where it was looked for, for the skip message. */
  address: string;
  /** A working STORE_URL, or undefined when the server is not reachable. */
  url: string | undefined;
  /** The TCP port, for tests that put a proxy in front of the server. */
  port: number;
  /** The URL with host and port replaced, for the proxy tests. */
  urlVia(port: number): string;
}

/**
 * Looks for the local Redis and PostgreSQL (trust auth, database `test`, user postgres or root).
 * TEST_REDIS_URL / TEST_POSTGRES_URL point the suite elsewhere.
 */
export async function findServerBackends(env = process.env): Promise<ServerBackend[]> {
  const redisCandidates = env.TEST_REDIS_URL ? [env.TEST_REDIS_URL] : ['redis://127.0.0.1:6379'];
  const postgresCandidates = env.TEST_POSTGRES_URL
    ? [env.TEST_POSTGRES_URL]
    : ['postgres://postgres@127.0.0.1:5432/test', 'postgres://root@127.0.0.1:5432/test'];
  return [await firstWorking('redis', redisCandidates), await firstWorking('postgres', postgresCandidates)];
}

async function firstWorking(backend: ServerBackend['backend'], candidates: string[]): Promise<ServerBackend> {
  const first = new URL(candidates[0] ?? '');
  const describe = (url: string | undefined, parsed: URL): ServerBackend => ({
    backend,
    address: `${parsed.hostname}:${parsed.port}`,
    url,
    port: Number(parsed.port),
    urlVia(port) {
      const via = new URL(url ?? parsed.href);
      via.hostname = '127.0.0.1';
      via.port = String(port);
      return via.href;
    },
  });
  for (const url of candidates) {
    try {
      const store = await openStore(url);
      await store.close();
      return describe(url, new URL(url));
    } catch {
      // Try the next candidate; the suite reports the backend as unreachable if none works.
    }
  }
  return describe(undefined, first);
}

/** A namespace prefix unique to this test run, so parallel runs and leftovers never meet. */
export function runPrefix(): string {
  return `t${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
}
