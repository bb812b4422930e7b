import type { ZodType } from 'zod';
import { createLogger, type Logger } from '../logger.js';
import { StoreCollection } from './collection.js';
import type { StoreDriver } from './driver.js';
import { StoreClosedError } from './errors.js';
import { StoreLeases } from './lease-table.js';
import { parseStoreUrl, type StoreLocation } from './store-url.js';
import type { Collection, Leases, Store } from './types.js';

export interface OpenStoreOptions {
  /** Folder that a relative `sqlite://` path is resolved against; defaults to the process's. */
  cwd?: string;
  log?: Logger;
}

/**
 * Opens the store named by STORE_URL (`sqlite://`, `redis://`/`rediss://`, `postgres://`/`postgresql://`)
 * and checks that it answers. A bad URL or an unreachable backend is a UserFacingError naming STORE_URL;
 * the URL is only ever logged or shown with its password replaced.
 */
export async function openStore(url: string, options: OpenStoreOptions = {}): Promise<Store> {
  const log = options.log ?? createLogger({ level: 'silent' });
  const location = parseStoreUrl(url, options.cwd ?? process.cwd());
  const driver = await openDriver(location, log);
  // Debug: an info line here would precede every CLI command's output and errors.
  log.debug({ backend: driver.backend, url: location.redactedUrl }, 'store opened');
  return new OpenedStore(driver, location.redactedUrl, log);
}

/** Only the backend in use is loaded: the Redis and PostgreSQL clients cost start-up time otherwise. */
async function openDriver(location: StoreLocation, log: Logger): Promise<StoreDriver> {
  switch (location.backend) {
    case 'sqlite': {
      const { openSqliteDriver } = await import('./sqlite-driver.js');
      return openSqliteDriver(location.filename, location.redactedUrl, log);
    }
    case 'redis': {
      const { openRedisDriver } = await import('./redis-driver.js');
      return openRedisDriver(location.url, location.redactedUrl, log);
    }
    case 'postgres': {
      const { openPostgresDriver } = await import('./postgres-driver.js');
      return openPostgresDriver(location.url, location.redactedUrl, log);
    }
  }
}

class OpenedStore implements Store {
  private closed = false;
  private closing: Promise<void> | undefined;

  constructor(
    private readonly driver: StoreDriver,
    readonly redactedUrl: string,
    private readonly log: Logger,
  ) {}

  get backend() {
    return this.driver.backend;
  }

  collection<T>(namespace: string, schema?: ZodType<T>): Collection<T> {
    return new StoreCollection<T>(this.driver, namespace, schema, () => this.closed);
  }

  leases(namespace: string): Leases {
    return new StoreLeases(this.driver, namespace, () => this.closed);
  }

  writeStats() {
    return this.driver.writeStats();
  }

  async warmUp(): Promise<void> {
    if (this.closed) throw new StoreClosedError(this.driver.backend);
    await this.driver.warmUp();
  }

  close(): Promise<void> {
    this.closed = true;
    this.closing ??= this.driver.close().then(() => {
      this.log.debug({ backend: this.driver.backend, url: this.redactedUrl }, 'store closed');
    });
    return this.closing;
  }
}
