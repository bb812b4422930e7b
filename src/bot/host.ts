import { type BaseInteraction, PermissionFlagsBits } from 'discord.js';
import { mayHost } from '../quiz/host-rule.js';

/**
 * The facts about a Discord member that the engine's host rule (src/quiz/host-rule.ts) needs and only
 * Discord knows: whether they can manage the server, and whether they hold the role DISCORD_HOST_ROLE
 * names (by name or id). Who may host is decided there, not here.
 */
export const HOST_PERMISSION = PermissionFlagsBits.ManageGuild;

export function discordHostFacts(
  interaction: BaseInteraction,
  hostRole: string | null,
): { canManageServer: boolean; hasHostRole: boolean } {
  if (!interaction.inGuild()) return { canManageServer: false, hasHostRole: false };
  const canManageServer = interaction.memberPermissions?.has(HOST_PERMISSION) === true;
  if (hostRole === null) return { canManageServer, hasHostRole: false };
  const member = interaction.member;
  // A cached member has a role manager; a member of an uncached guild comes as raw role ids.
  const roleIds: string[] = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  const hasHostRole = roleIds.some(
    (id) => id === hostRole || interaction.guild?.roles.cache.get(id)?.name === hostRole,
  );
  return { canManageServer, hasHostRole };
}

/** Whether the member may host from their Discord standing alone (a quiz's starter is a host anyway). */
export function isQuizHost(interaction: BaseInteraction, hostRole: string | null): boolean {
  return mayHost(null, {
    kind: 'member',
    userId: interaction.user.id,
    ...discordHostFacts(interaction, hostRole),
  });
}
