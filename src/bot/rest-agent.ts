import { Agent, request } from 'undici';

/**
 * The HTTP connection pool the bot's REST calls share (discord.js's and the interaction webhook client's).
 *
 * By default undici opens a new connection for every request that finds none idle, so a burst of 1000
 * clicks opens up to 1000 connections to Discord at once, each with its own TCP and TLS handshake, and a
 * listener's accept queue overflows. A bounded pool of kept-alive connections queues the requests on
 * connections that are already open instead.
 */
export const REST_CONNECTIONS = 32;
/** Connections opened at start-up, before the bot says ready. */
export const WARM_CONNECTIONS = 8;

export function createRestAgent(): Agent {
  return new Agent({ connections: REST_CONNECTIONS, keepAliveTimeout: 60_000, keepAliveMaxTimeout: 600_000 });
}

/**
 * Opens WARM_CONNECTIONS connections to the API by asking for the gateway address (`GET /gateway`, which
 * needs no token and has no side effect) that many times at once. A failure only means a colder start.
 */
export async function warmRestAgent(agent: Agent, apiBase: string): Promise<void> {
  const url = `${apiBase.replace(/\/+$/, '')}/v10/gateway`;
  await Promise.all(
    Array.from({ length: WARM_CONNECTIONS }, async () => {
      try {
        const response = await request(url, { dispatcher: agent });
        await response.body.dump();
      } catch {
        // Nothing to do: the first real request opens its connection itself.
      }
    }),
  );
}
