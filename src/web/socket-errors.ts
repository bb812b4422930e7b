import type { Logger } from '../logger.js';

/**
 * What the WebSocket plugin does with an error on an open socket. `ws` reports a client's protocol mistakes
 * (a frame over the size limit, bad UTF-8, a bad close code) as errors with a `WS_ERR_…` code after it has
 * already closed the socket with the right status (1009 for a frame too big): those are the client's doing,
 * so a warning with the code is enough. Anything else is ours and keeps its stack at error level.
 */
export function websocketErrorHandler(log: Logger) {
  return (error: unknown, socket: { terminate(): void }): void => {
    const code = typeof error === 'object' && error !== null && 'code' in error ? String(error.code) : '';
    if (code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') {
      log.warn({ code }, 'websocket closed: message too big');
    } else if (code.startsWith('WS_ERR_')) {
      const reason = error instanceof Error ? error.message : String(error);
      log.warn({ code, reason }, 'websocket closed: the client broke the protocol');
    } else {
      log.error({ err: error }, 'websocket error');
    }
    socket.terminate();
  };
}
