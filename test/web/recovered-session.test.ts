import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { QuestionView } from '../../src/web/protocol.js';
import { revealView } from '../../src/web/views.js';
import { type Harness, ManualClock, openHarness, optionFor } from '../quiz/harness.js';
import { oracleAndAlwaysA } from '../support/reveal-models.js';
import { joinAsHost, joinAsPlayer, onScreen, openWebHarness, secretFor, startQuiz } from './harness.js';

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

describe('a web quiz recovered after a restart, as a host screen receives it', () => {
  it("shows the question's reveal with 'the server restarted' for a model the restart cut off", async () => {
    const clock = new ManualClock();
    const engine = { clock, scheduler: clock };
    const hanging = () => oracleAndAlwaysA().setModel('oracle', () => new Promise(() => undefined));
    let web = await openWebHarness({ engine, models: hanging() });
    try {
      const host = await joinAsHost(web);
      const question = (await startQuiz(host, { models: ['oracle'] })).state.question as QuestionView;
      const player = await joinAsPlayer(web, secretFor('ray'), 'Ray');
      for (const slot of [0, 1] as const) {
        await player.request({ type: 'answer', ...onScreen(player), slot, option: 'A' });
      }
      await player.close();
      await host.close();
      // The server goes down, and the question's time runs out meanwhile.
      const { dir } = web;
      await web.web.close();
      web.engine.close();
      await web.store.close();
      clock.time = question.deadline + 1;
      web = await openWebHarness({ dir, engine, models: hanging() });

      const back = await joinAsHost(web);
      const state = back.last('state')?.state;
      expect(state?.phase).toBe('reveal');
      expect(state?.reveal?.closedBy).toBe('recovery');
      expect(state?.reveal?.models).toEqual([
        expect.objectContaining({
          modelId: 'oracle',
          status: 'pending',
          reason: 'the server restarted before this model answered',
        }),
      ]);
      expect(back.frames.join('\n')).not.toMatch(DISCORD_WORDS);
      await back.close();
    } finally {
      await web.close();
    }
  });
});
