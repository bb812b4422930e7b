import { type BaseInteraction, PermissionFlagsBits } from 'discord.js';

/**
 * Who may host a quiz (start, stop, reveal): members with the role DISCORD_HOST_ROLE names (by name or
 * id) and, always, members who can manage the server, so that a misnamed role never locks the owners out.
 * Without DISCORD_HOST_ROLE, only the latter.
 */
export const HOST_PERMISSION = PermissionFlagsBits.ManageGuild;

export function isQuizHost(interaction: BaseInteraction, hostRole: string | null): boolean {
  if (!interaction.inGuild()) return false;
  if (interaction.memberPermissions?.has(HOST_PERMISSION)) return true;
  if (hostRole === null) return false;
  const member = interaction.member;
  // A cached member has a role manager; a member of an uncached guild comes as raw role ids.
  const roleIds: string[] = Array.isArray(member.roles) ? member.roles : [...member.roles.cache.keys()];
  return roleIds.some((id) => id === hostRole || interaction.guild?.roles.cache.get(id)?.name === hostRole);
}
