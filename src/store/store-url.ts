import path from 'node:path';
import { UserFacingError } from '../errors.js';

export type StoreLocation =
  | { backend: 'sqlite' /** Absolute path, or `:memory:`. */; filename: string; redactedUrl: string }
  | { backend: 'redis'; url: string; redactedUrl: string }
  | { backend: 'postgres'; url: string; redactedUrl: string };

export const ACCEPTED_SCHEMES = [
  'sqlite://',
  'redis://',
  'rediss://',
  'postgres://',
  'postgresql://',
] as const;

const SECRET_PARAM = /pass|secret|token|key/i;

/**
 * Reads STORE_URL. `sqlite://PATH` takes PATH as a file path (relative to `cwd`, e.g.
 * `sqlite://data/store.sqlite`, or absolute, `sqlite:///var/lib/bot/store.sqlite`) or `:memory:`.
 */
export function parseStoreUrl(url: string, cwd: string): StoreLocation {
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1]?.toLowerCase();
  if (scheme === 'sqlite') {
    const rest = url.slice('sqlite:'.length);
    if (!rest.startsWith('//') || rest.length === 2) {
      throw invalid(`"${url}" has no file path; write e.g. sqlite://data/store.sqlite`);
    }
    const file = rest.slice(2);
    const filename = file === ':memory:' ? file : path.resolve(cwd, file);
    return { backend: 'sqlite', filename, redactedUrl: url };
  }
  if (scheme === 'redis' || scheme === 'rediss') {
    return { backend: 'redis', url, redactedUrl: redactUrl(url) };
  }
  if (scheme === 'postgres' || scheme === 'postgresql') {
    return { backend: 'postgres', url, redactedUrl: redactUrl(url) };
  }
  const shown = scheme === undefined ? 'has no scheme' : `uses the unsupported scheme "${scheme}:"`;
  throw invalid(`${shown}; accepted schemes: ${ACCEPTED_SCHEMES.join(', ')}`);
}

/** The URL with its password and any secret-looking query parameter replaced by `***`. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Unparseable: show only the scheme, since the rest may hold a password.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? '';
    return `${scheme}//***`;
  }
  if (parsed.password !== '') parsed.password = '***';
  for (const name of [...parsed.searchParams.keys()]) {
    if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, '***');
  }
  return parsed.toString();
}

function invalid(detail: string): UserFacingError {
  return new UserFacingError('STORE_URL_INVALID', `STORE_URL ${detail}`);
}
