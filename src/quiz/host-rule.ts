/**
 * Who may use a quiz session's host controls (reveal, next, skip, stop). The one rule for every front end;
 * each supplies the facts only it can know:
 * - the person who started the session is always a host;
 * - Discord: members who can manage the server, and members holding the configured host role
 *   (DISCORD_HOST_ROLE, by name or id), resolved by `src/bot/host.ts`;
 * - web: whoever holds the room's host key (the host link printed at start-up).
 * The engine's own steps (the round scheduler, recovery) act as `system`.
 */
export type Actor =
  | {
      kind: 'member';
      userId: string;
      /** Discord: the member has the Manage Server permission. */
      canManageServer?: boolean;
      /** Discord: the member holds the configured quiz host role. */
      hasHostRole?: boolean;
      /** Web: the connection proved the room's host key. */
      holdsHostKey?: boolean;
    }
  | { kind: 'system' };

/**
 * Whether `actor` may host `session`; with no session (Discord's baseline controls, starting a quiz),
 * whether their standing on the platform alone makes them a host.
 */
export function mayHost(session: { hostUserId: string } | null, actor: Actor): boolean {
  if (actor.kind === 'system') return true;
  return (
    (session !== null && actor.userId === session.hostUserId) ||
    actor.canManageServer === true ||
    actor.hasHostRole === true ||
    actor.holdsHostKey === true
  );
}
