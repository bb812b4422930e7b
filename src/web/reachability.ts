import { networkInterfaces } from 'node:os';

/**
 * Whether phones in the room can open the join link. A server listening on loopback (the default,
 * 127.0.0.1) answers this computer only, so its QR code leads nowhere on a phone: the host view and the
 * console say so, and how to fix it.
 */

export interface JoinReach {
  /** The join link points at this computer only (127.0.0.1, localhost, ::1). */
  loopback: boolean;
  /** This machine's address on the local network, when it has one. */
  lanAddress: string | null;
  /** What to do about it, in one or two sentences; null when the link is reachable. */
  advice: string | null;
}

/** An address other devices can reach: the first non-internal IPv4 address, or null. */
export function lanAddress(): string | null {
  for (const list of Object.values(networkInterfaces())) {
    for (const entry of list ?? []) if (entry.family === 'IPv4' && !entry.internal) return entry.address;
  }
  return null;
}

export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

/** How reachable `joinBase` (the base of the join links, e.g. http://127.0.0.1:3000) is from other devices. */
export function joinReach(joinBase: string, lan: string | null = lanAddress()): JoinReach {
  const url = new URL(joinBase);
  const loopback = isLoopbackHost(url.hostname);
  if (!loopback) return { loopback, lanAddress: lan, advice: null };
  const port = url.port === '' ? '' : ` --port ${url.port}`;
  const where =
    lan === null
      ? 'This computer has no network address right now: connect it to the room’s network first.'
      : `Phones on this network would then join at http://${lan}${url.port === '' ? '' : `:${url.port}`}.`;
  return {
    loopback,
    lanAddress: lan,
    advice: `Phones cannot open this join link: the server listens on this computer only (${url.hostname}). Restart with \`npm start -- --host 0.0.0.0${port}\`, or set PUBLIC_URL to an address phones can reach. ${where}`,
  };
}
