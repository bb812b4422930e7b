import { Client, Events, GatewayIntentBits, MessageFlags } from 'discord.js';

/**
 * The yardstick for the click-burst benchmark: the least a discord.js bot can do with a button press,
 * acknowledge it with a short private reply, storing nothing. Same client options as the project's bot.
 */
const client = new Client({
  intents: [GatewayIntentBits.Guilds],
  rest: { api: process.env.DISCORD_API_BASE ?? '' },
  allowedMentions: { parse: [] },
});
client.on(Events.InteractionCreate, (interaction) => {
  if (!interaction.isButton()) return;
  interaction.reply({ content: 'Got it.', flags: MessageFlags.Ephemeral }).catch((err: unknown) => {
    process.stderr.write(`minimal bot: reply failed: ${String(err)}\n`);
  });
});
client.once(Events.ClientReady, () => process.send?.({ ready: true }));
await client.login(process.env.DISCORD_TOKEN);
process.on('message', (message) => {
  if (message === 'stats') process.send?.({ stats: null });
});
