import { type ChatInputCommandInteraction, InteractionContextType, SlashCommandBuilder } from 'discord.js';
import type { DiscordBaseline } from '../bot/baseline-front-end.js';
import {
  ANSWER_PREFIX,
  answerArgs,
  CONSENT_PREFIX,
  consentArgs,
  FULL_SIZE_PREFIX,
  NEXT_PREFIX,
  noArgs,
  pairArgs,
  STOP_PREFIX,
} from '../bot/baseline-ids.js';
import { type BotDeps, type Command, type ComponentInteraction, componentRoute } from '../bot/command.js';
import { UNKNOWN_COMPONENT } from '../bot/interaction-router.js';
import { UserFacingError } from '../errors.js';

/**
 * `/baseline`: answer pairs privately, at your own pace, for the human baseline (after accepting a consent
 * notice the first time). The buttons of its messages are routed here too; the work happens in
 * DiscordBaseline (src/bot/baseline-front-end.ts).
 */

const data = new SlashCommandBuilder()
  .setName('baseline')
  .setDescription('Answer pairs privately, at your own pace, for the human baseline (only you see them)')
  .setContexts(InteractionContextType.Guild, InteractionContextType.BotDM);

export function requireBaseline(deps: BotDeps): DiscordBaseline {
  if (deps.baseline === undefined) {
    throw new UserFacingError(
      'BASELINE_UNAVAILABLE',
      'The private baseline is not available on this bot right now. Please ask whoever runs it.',
    );
  }
  return deps.baseline;
}

async function execute(interaction: ChatInputCommandInteraction, deps: BotDeps): Promise<void> {
  await requireBaseline(deps).start(interaction);
}

function button(interaction: ComponentInteraction) {
  // Only buttons carry these ids; anything else with the same prefix is forged.
  if (!interaction.isButton()) throw new UserFacingError('BASELINE_NOT_A_BUTTON', UNKNOWN_COMPONENT);
  return interaction;
}

const components = [
  componentRoute(CONSENT_PREFIX, consentArgs, async (interaction, args, deps) => {
    await requireBaseline(deps).consentButton(button(interaction), args);
  }),
  componentRoute(ANSWER_PREFIX, answerArgs, async (interaction, args, deps) => {
    await requireBaseline(deps).answer(button(interaction), args);
  }),
  componentRoute(NEXT_PREFIX, noArgs, async (interaction, _args, deps) => {
    await requireBaseline(deps).next(button(interaction));
  }),
  componentRoute(STOP_PREFIX, noArgs, async (interaction, _args, deps) => {
    await requireBaseline(deps).stop(button(interaction));
  }),
  componentRoute(FULL_SIZE_PREFIX, pairArgs, async (interaction, args, deps) => {
    await requireBaseline(deps).fullSize(button(interaction), args);
  }),
];

export default { data, execute, components } satisfies Command;
