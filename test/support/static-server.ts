import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A loopback HTTP server for tests: serves a route table and/or a folder, and can misbehave on
 * purpose (latency, the first N requests of a path failing with a status, dropped connections,
 * bodies cut short). It counts requests per path so tests can assert what was (not) downloaded.
 *
 * Paths ("targets") are matched two ways: a target with a `?` matches that exact request target;
 * one without matches every request to that pathname, whatever its query.
 */

export interface RouteResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: Buffer | string;
}

export interface RouteRequest {
  method: string;
  url: URL;
}

export type RouteHandler = (
  request: RouteRequest,
) => RouteResponse | undefined | Promise<RouteResponse | undefined>;

/** A body (200), a full response, or a handler (returning undefined means 404). */
export type Route = Buffer | string | RouteResponse | RouteHandler;

export interface StaticServerOptions {
  /** Keyed by pathname (`/hf/dataset.json`). */
  routes?: Record<string, Route>;
  /** Files under this folder are served for paths no route matches. */
  dir?: string;
  /** Added before every response. */
  latencyMs?: number;
}

type Misbehaviour =
  | { kind: 'status'; status: number; headers: Record<string, string> }
  | { kind: 'drop' }
  | { kind: 'truncate' }
  | { kind: 'stall' };

interface Fault {
  target: string;
  remaining: number;
  what: Misbehaviour;
}

export interface StaticServer {
  /** `http://127.0.0.1:<port>` (no trailing slash). */
  readonly url: string;
  route(pathname: string, route: Route): void;
  removeRoute(pathname: string): void;
  setLatency(ms: number): void;
  /** The next `n` requests to `target` get `status` (e.g. 500, or 429 with a retry-after header). */
  failFirst(target: string, n: number, status?: number, headers?: Record<string, string>): void;
  /** The next `n` requests to `target` have their connection destroyed before any response. */
  dropFirst(target: string, n: number): void;
  /** The next `n` requests to `target` get full headers, half the body, then a destroyed connection. */
  truncateFirst(target: string, n: number): void;
  /** The next `n` requests to `target` never get an answer (until the client gives up or the server closes). */
  stallFirst(target: string, n: number): void;
  /** Requests seen for `target` (see the matching rule above). */
  count(target: string): number;
  /** Every request target seen, with its count. */
  counts(): Map<string, number>;
  resetCounts(): void;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gz': 'application/gzip',
  '.xml': 'application/xml',
  '.txt': 'text/plain',
};

function matches(target: string, url: URL): boolean {
  return target.includes('?') ? target === url.pathname + url.search : target === url.pathname;
}

function normalize(
  route: Route | undefined,
  request: RouteRequest,
): Promise<RouteResponse | undefined> | RouteResponse | undefined {
  if (route === undefined) return undefined;
  if (typeof route === 'function') return route(request);
  if (typeof route === 'string' || Buffer.isBuffer(route)) return { body: route };
  return route;
}

export async function startStaticServer(options: StaticServerOptions = {}): Promise<StaticServer> {
  const routes = new Map<string, Route>(Object.entries(options.routes ?? {}));
  const seen = new Map<string, number>();
  let faults: Fault[] = [];
  let latencyMs = options.latencyMs ?? 0;

  async function fromDir(pathname: string): Promise<RouteResponse | undefined> {
    if (!options.dir) return undefined;
    const root = path.resolve(options.dir);
    const file = path.resolve(root, `.${decodeURIComponent(pathname)}`);
    if (!file.startsWith(root + path.sep)) return undefined;
    try {
      if (!(await stat(file)).isFile()) return undefined;
    } catch {
      return undefined;
    }
    return {
      body: await readFile(file),
      headers: {
        'content-type': CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream',
      },
    };
  }

  function takeFault(url: URL): Misbehaviour | undefined {
    const fault = faults.find((f) => f.remaining > 0 && matches(f.target, url));
    if (!fault) return undefined;
    fault.remaining--;
    return fault.what;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const target = url.pathname + url.search;
    seen.set(target, (seen.get(target) ?? 0) + 1);
    if (latencyMs > 0) await sleep(latencyMs);

    const fault = takeFault(url);
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'stall') return;
    if (fault?.kind === 'status') {
      res.writeHead(fault.status, { 'content-type': 'text/plain', ...fault.headers });
      res.end(`injected ${fault.status}`);
      return;
    }

    const request: RouteRequest = { method: req.method ?? 'GET', url };
    const response = (await normalize(routes.get(url.pathname), request)) ?? (await fromDir(url.pathname));
    if (!response) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    }
    const body =
      typeof response.body === 'string' ? Buffer.from(response.body) : (response.body ?? Buffer.alloc(0));
    const headers = { 'content-length': String(body.length), ...response.headers };
    res.writeHead(response.status ?? 200, headers);
    if (fault?.kind === 'truncate') {
      res.write(body.subarray(0, Math.floor(body.length / 2)), () => req.socket.destroy());
      return;
    }
    res.end(body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
      res.end(String(err));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    route: (pathname, route) => void routes.set(pathname, route),
    removeRoute: (pathname) => void routes.delete(pathname),
    setLatency: (ms) => {
      latencyMs = ms;
    },
    failFirst: (target, n, status = 500, headers = {}) => {
      faults.push({ target, remaining: n, what: { kind: 'status', status, headers } });
    },
    dropFirst: (target, n) => {
      faults.push({ target, remaining: n, what: { kind: 'drop' } });
    },
    truncateFirst: (target, n) => {
      faults.push({ target, remaining: n, what: { kind: 'truncate' } });
    },
    stallFirst: (target, n) => {
      faults.push({ target, remaining: n, what: { kind: 'stall' } });
    },
    count: (target) => {
      let total = 0;
      for (const [seenTarget, n] of seen) {
        if (matches(target, new URL(seenTarget, 'http://127.0.0.1'))) total += n;
      }
      return total;
    },
    counts: () => new Map(seen),
    resetCounts: () => {
      seen.clear();
      faults = faults.filter((f) => f.remaining > 0);
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((err) => (err ? reject(err) : resolve()));
      }),
  };
}
