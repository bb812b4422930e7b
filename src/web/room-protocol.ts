import type { Logger } from '../logger.js';
import { type Connection, type LiveRoom, refused } from './live-room.js';
import type { ClientMessage } from './protocol.js';
import { clientMessageSchema } from './protocol.js';
import type { RoomActions } from './room-actions.js';
import type { RoomEntry } from './room-entry.js';
import type { RoomPresenter } from './room-presenter.js';

export interface ConnectionHandler {
  message(text: string): Promise<void>;
  closed(): void;
}

/** Closes connections that never say who they are. */
const HELLO_TIMEOUT_MS = 15_000;

/**
 * The WebSocket protocol of one browser connection: every message is validated here (protocol.ts), a
 * connection must say hello before anything else, and each request goes to what its role allows. Whatever
 * fails on the server is logged and answered, so the sender never waits forever.
 */
export class RoomProtocol {
  constructor(
    private readonly entry: RoomEntry,
    private readonly actions: RoomActions,
    private readonly presenter: RoomPresenter,
    private readonly log: Logger,
  ) {}

  /** A new browser connection; the caller feeds it messages and tells it when the socket closes. */
  connect(conn: Connection): ConnectionHandler {
    let room: LiveRoom | null = null;
    let role: 'host' | 'player' | null = null;
    const helloTimer = setTimeout(() => {
      if (role === null) conn.close(4000, 'no hello');
    }, HELLO_TIMEOUT_MS);
    const leave = () => {
      if (room === null) return;
      room.hosts.delete(conn);
      room.players.delete(conn);
      this.presenter.scheduleCount(room);
    };
    return {
      message: async (text) => {
        let raw: unknown;
        try {
          raw = JSON.parse(text);
        } catch {
          conn.send({ type: 'error', code: 'BAD_MESSAGE', message: 'Messages must be JSON.', fatal: false });
          return;
        }
        const parsed = clientMessageSchema.safeParse(raw);
        if (!parsed.success) {
          const issue = parsed.error.issues[0];
          const where = issue && issue.path.length > 0 ? `${issue.path.join('.')}: ` : '';
          const text = `The server did not understand that (${where}${issue?.message ?? 'invalid message'}).`;
          // A request that carries an id gets its answer as an acknowledgement, so its sender stops waiting.
          const id = typeof raw === 'object' && raw !== null && 'id' in raw ? raw.id : undefined;
          conn.send(
            typeof id === 'number' && Number.isSafeInteger(id)
              ? refused(id, 'BAD_MESSAGE', text)
              : { type: 'error', code: 'BAD_MESSAGE', message: text, fatal: false },
          );
          return;
        }
        const message: ClientMessage = parsed.data;
        try {
          if (message.type === 'hello') {
            const joined = await this.entry.hello(conn, message);
            if (joined === null) return;
            leave();
            clearTimeout(helloTimer);
            room = joined.room;
            role = joined.role;
            return;
          }
          if (room === null || role === null) {
            conn.send({ type: 'error', code: 'NO_HELLO', message: 'Join a room first.', fatal: false });
            return;
          }
          if (message.type === 'answer') {
            if (role !== 'player') {
              conn.send(
                refused(message.id, 'NOT_PLAYER', 'Only participants answer; this is the host screen.'),
              );
              return;
            }
            await this.actions.answer(room, conn, message);
            return;
          }
          if (role !== 'host') {
            // The host's key was never shown here, so this is someone trying the controls by hand.
            conn.send(refused(message.id, 'NOT_HOST', 'Only the host can do that.'));
            return;
          }
          await this.actions.command(room, conn, message);
        } catch (err) {
          this.log.error({ err, type: message.type }, 'web message failed');
          const id = 'id' in message ? message.id : null;
          const text = 'Something went wrong on the server; try again.';
          conn.send(
            id === null
              ? { type: 'error', code: 'INTERNAL', message: text, fatal: false }
              : refused(id, 'INTERNAL', text),
          );
        }
      },
      closed: () => {
        clearTimeout(helloTimer);
        leave();
      },
    };
  }
}
