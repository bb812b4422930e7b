import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { InteractionResponseType, MessageFlags } from 'discord.js';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FakeUser } from '../support/fake-discord/index.js';
import { type BotHarness, startBot } from './harness.js';

describe('/pair', () => {
  let h: BotHarness;
  let teacher: FakeUser;
  beforeAll(async () => {
    h = await startBot();
    teacher = h.fake.addUser({ username: 'dr.lee', globalName: 'Dr Lee' });
  });
  afterAll(async () => {
    await h?.close();
  });

  const pair10001 = () => {
    const pair = h.pairSet.pairs.find((p) => p.id === '10001');
    if (!pair) throw new Error('dataset.json lacks pair 10001');
    return pair;
  };

  it('shows the question and both options of the pair', async () => {
    const sent = h.fake.dispatchSlashCommand(teacher, { name: 'pair', options: { id: '10001' } });
    const reply = await h.fake.waitForReply(sent.id);
    const pair = pair10001();
    expect(reply.content).toContain('Pair 10001');
    expect(reply.content).toContain(pair.question);
    expect(reply.content).toContain(pair.options.A);
    expect(reply.content).toContain(pair.options.B);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(0);
  });

  it('attaches both images, in order, under neutral names, as JPEGs that decode', async () => {
    const sent = h.fake.dispatchSlashCommand(teacher, { name: 'pair', options: { id: '10001' } });
    const reply = await h.fake.waitForReply(sent.id);
    expect(reply.attachments.map((a) => a.filename)).toEqual(['image-1.jpg', 'image-2.jpg']);
    const pair = pair10001();
    for (const [slot, attachment] of reply.attachments.entries()) {
      const localId = pair.images[slot]?.localId ?? '';
      const onDisk = await readFile(path.join(h.dataDir, 'images', `${localId}.jpg`));
      expect(attachment.bytes.equals(onDisk)).toBe(true);
      expect((await sharp(attachment.bytes).metadata()).format).toBe('jpeg');
      expect(attachment.filename).not.toContain(localId);
    }
  });

  it('gives each image its correct answer, caption, categories and source article link', async () => {
    const sent = h.fake.dispatchSlashCommand(teacher, { name: 'pair', options: { id: '10001' } });
    const reply = await h.fake.waitForReply(sent.id);
    const pair = pair10001();
    expect(reply.embeds).toHaveLength(2);
    for (const slot of [0, 1] as const) {
      const image = pair.images[slot];
      const embed = reply.embeds[slot];
      expect(embed?.title).toContain(`Image ${slot + 1}`);
      expect(embed?.title).toContain(`correct answer ${image.correct}: ${pair.options[image.correct]}`);
      expect(embed?.image?.url).toBe(`attachment://image-${slot + 1}.jpg`);
      expect(embed?.description).toContain(image.caption.slice(0, 40));
      const fields = Object.fromEntries((embed?.fields ?? []).map((f) => [f.name, f.value]));
      expect(fields.Categories).toBe(image.categories.join(', '));
      expect(image.pmcArticle).toMatch(/^PMC\d+$/);
      expect(embed?.url).toBe(`https://pmc.ncbi.nlm.nih.gov/articles/${image.pmcArticle}/`);
    }
  });

  it('defers first, then fills in the deferred reply', async () => {
    const sent = h.fake.dispatchSlashCommand(teacher, { name: 'pair', options: { id: '10002' } });
    const callback = await h.fake.waitForCallback(sent.id);
    expect(callback.type).toBe(InteractionResponseType.DeferredChannelMessageWithSource);
    const reply = await h.fake.waitForReply(sent.id);
    expect(reply.content).toContain('Pair 10002');
    const edit = h.fake.requests.find(
      (r) => r.route === '/webhooks/{webhook_id}/{webhook_token}/messages/@original' && r.body !== null,
    );
    expect(edit?.files.map((f) => f.filename)).toEqual(['image-1.jpg', 'image-2.jpg']);
  });

  it('shows the pair only to the teacher when asked to keep it private', async () => {
    const sent = h.fake.dispatchSlashCommand(teacher, {
      name: 'pair',
      options: { id: '10003', private: true },
    });
    const reply = await h.fake.waitForReply(sent.id);
    expect(reply.content).toContain('Pair 10003');
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
  });

  it('answers an unknown id with a friendly note only the teacher sees', async () => {
    const sent = h.fake.dispatchSlashCommand(teacher, { name: 'pair', options: { id: '99999' } });
    const reply = await h.fake.waitForReply(sent.id);
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(reply.content).toContain('There is no pair "99999" in the official set');
    expect(reply.content).toContain('10001');
    expect(reply.attachments).toHaveLength(0);
    const logged = h.logs.entries().find((e) => e.interactionId === sent.id);
    expect(logged?.code).toBe('PAIR_UNKNOWN');
    expect(logged?.level).toBe(30);
  });

  it('does not let an id that looks like a mention ping anyone', async () => {
    const sent = h.fake.dispatchSlashCommand(teacher, { name: 'pair', options: { id: '@everyone' } });
    await h.fake.waitForReply(sent.id);
    const callback = h.fake.interaction(sent.id).callbacks[0];
    expect(callback?.data?.allowed_mentions).toEqual({ parse: [] });
  });

  it('suggests pair ids that start with what the teacher typed', async () => {
    const sent = h.fake.dispatchAutocomplete(teacher, {
      name: 'pair',
      options: { id: '1001' },
      focused: 'id',
    });
    const callback = await h.fake.waitForCallback(sent.id);
    expect(callback.type).toBe(InteractionResponseType.ApplicationCommandAutocompleteResult);
    const choices = (callback.data?.choices ?? []) as { name: string; value: string }[];
    expect(choices.map((c) => c.value)).toEqual([
      '10010',
      '10011',
      '10012',
      '10013',
      '10014',
      '10015',
      '10016',
      '10017',
      '10018',
      '10019',
    ]);
    expect(choices.every((c) => c.name.length <= 100)).toBe(true);
  });

  it('suggests pairs whose question contains the words typed', async () => {
    const sent = h.fake.dispatchAutocomplete(teacher, {
      name: 'pair',
      options: { id: 'angiogram' },
      focused: 'id',
    });
    const callback = await h.fake.waitForCallback(sent.id);
    const choices = (callback.data?.choices ?? []) as { name: string; value: string }[];
    expect(choices.map((c) => c.value)).toContain('10001');
    expect(choices.length).toBeLessThanOrEqual(25);
  });

  it('sends only bodies that match Discord’s published schema', () => {
    expect(h.fake.schemaViolations()).toEqual([]);
    const checked = h.fake.requests.filter((r) => r.schemaErrors !== null);
    expect(checked.length).toBeGreaterThan(0);
  });
});
