import type { REST } from 'discord.js';
import type { Logger } from '../logger.js';

/**
 * Logs every REST response discord.js will retry: a 429 (it waits the `retry-after` Discord sent, then asks
 * again) and a 5xx (asked again at once, up to `maxRetries` times). They are otherwise invisible, and a run
 * of them is what a slow or failing bot looks like from the outside.
 */
export function logRestRetries(rest: REST, log: Logger, maxRetries: number): void {
  rest.on('response', (request, response) => {
    const status = response.status;
    if (status !== 429 && status < 500) return;
    const header = response.headers.get('retry-after');
    const retryAfterMs = status === 429 && header !== null ? Math.round(Number(header) * 1000) : 0;
    const willRetry = status === 429 || request.retries < maxRetries;
    log.warn(
      {
        method: request.method.toUpperCase(),
        route: request.route,
        status,
        attempt: request.retries + 1,
        ...(willRetry ? { retryInMs: retryAfterMs } : {}),
      },
      willRetry ? 'discord request failed; retrying' : 'discord request failed; giving up',
    );
  });
}
