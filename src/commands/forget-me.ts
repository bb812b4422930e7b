import { type ChatInputCommandInteraction, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import { FORGET_PREFIX, forgetArgs } from '../bot/baseline-ids.js';
import { type BotDeps, type Command, componentRoute } from '../bot/command.js';
import { UNKNOWN_COMPONENT } from '../bot/interaction-router.js';
import { UserFacingError } from '../errors.js';
import { requireBaseline } from './baseline.js';

/**
 * `/forget-me`: after a confirmation button, deletes everything recorded about the person (consent,
 * profile, baseline and quiz answers, their id on finished quizzes they hosted) and says what went.
 */

const data = new SlashCommandBuilder()
  .setName('forget-me')
  .setDescription('Delete everything this bot recorded about you (asks to confirm first)')
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

async function execute(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  await requireBaseline(deps).forgetCommand(interaction);
}

const components = [
  componentRoute(FORGET_PREFIX, forgetArgs, async (interaction, [action], deps) => {
    if (!interaction.isButton()) throw new UserFacingError('BASELINE_NOT_A_BUTTON', UNKNOWN_COMPONENT);
    await requireBaseline(deps).forgetButton(interaction, action);
  }),
];

export default { data, execute, components } satisfies Command;
