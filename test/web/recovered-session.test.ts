import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { revealView } from '../../src/web/views.js';
import { type Harness, openHarness, optionFor } from '../quiz/harness.js';

/**
 * A quiz the process was restarted in the middle of, as the web shows it: the engine returns codes, and
 * the web words them for itself. A web host never runs a bot, so no Discord wording may reach the page.
 */

const DISCORD_WORDS = /\b(the bot|bot restarted|discord|guild|manage the server|host role)\b/i;

let h: Harness;
beforeEach(async () => {
  h = await openHarness();
  // A live model that never answers: the restart cuts its request off.
  h.models.setModel('slow', () => new Promise(() => undefined));
});
afterEach(async () => {
  await h.close();
});

describe('a quiz recovered after a restart, on the web', () => {
  it('says the server restarted before a model answered, and shows no Discord wording', async () => {
    const { round } = await h.engine.start({ roomId: 'web-room', hostUserId: 'web:host', models: ['slow'] });
    for (const slot of [0, 1] as const) {
      await h.engine.answer({
        roomId: 'web-room',
        userId: 'web:ray',
        displayName: 'Ray',
        slot,
        option: optionFor(round.pair, slot, true),
      });
    }
    h.clock.time = round.deadline + 1;
    const engine = await h.restart();
    const { revealed } = await engine.recover();
    const [recovered] = revealed;
    if (recovered === undefined) throw new Error('the round was not revealed at recovery');

    // What a host screen connecting after the restart is sent: the reveal recomputed from the store.
    const view = revealView(await engine.roundReveal(round.sessionId, round.round));
    expect(view.models).toEqual([
      expect.objectContaining({
        modelId: 'slow',
        status: 'pending',
        reason: 'the server restarted before this model answered',
      }),
    ]);
    expect(view.people).toMatchObject({ participants: 1, setCorrect: 1 });
    expect(JSON.stringify(view)).not.toMatch(DISCORD_WORDS);
    // The reveal the engine returned at recovery reads the same on the web.
    expect(JSON.stringify(revealView(recovered.reveal))).not.toMatch(DISCORD_WORDS);
  });
});
