import { once } from 'node:events';
import { DiscordAPIError, GatewayIntentBits, GatewayOpcodes, REST, Routes } from 'discord.js';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { type FakeDiscord, startFakeDiscord } from '../support/fake-discord/index.js';
import { placeholderJpeg } from '../support/placeholder-images.js';

/** The fake itself: what it refuses and keeps, so tests built on it can trust what they observe. */
describe('the fake Discord', () => {
  let fake: FakeDiscord;
  let rest: REST;
  beforeEach(async () => {
    fake = await startFakeDiscord();
    rest = new REST({ api: fake.apiBase, retries: 0 }).setToken(fake.token);
  });
  afterEach(async () => {
    await fake.close();
  });

  const failure = (promise: Promise<unknown>) =>
    promise.then(
      () => null,
      (err: unknown) => err,
    );

  it('refuses a message whose body breaks the OpenAPI schema, naming the field', async () => {
    const err = await failure(rest.post(Routes.channelMessages(fake.channelId), { body: { content: 42 } }));
    expect(err).toBeInstanceOf(DiscordAPIError);
    expect((err as DiscordAPIError).code).toBe(50035);
    const [request] = fake.schemaViolations();
    expect(request?.schemaErrors).toContain('/content must be string,null');
  });

  it('refuses an interaction callback of a type the schema does not know', async () => {
    const user = fake.addUser({ username: 'someone' });
    const sent = fake.createSlashCommand(user, { name: 'pair', options: { id: '10001' } });
    const err = await failure(
      rest.post(Routes.interactionCallback(sent.id, sent.token), { body: { type: 42 }, auth: false }),
    );
    expect((err as DiscordAPIError).status).toBe(400);
    expect(fake.interaction(sent.id).callbacks).toHaveLength(0);
  });

  it('refuses a second answer to the same interaction', async () => {
    const user = fake.addUser({ username: 'someone' });
    const sent = fake.createSlashCommand(user, { name: 'pair' });
    const route = Routes.interactionCallback(sent.id, sent.token);
    await rest.post(route, { body: { type: 4, data: { content: 'first' } }, auth: false });
    const err = await failure(
      rest.post(route, { body: { type: 4, data: { content: 'second' } }, auth: false }),
    );
    expect((err as DiscordAPIError).code).toBe(40060);
    expect(fake.interaction(sent.id).callbacks.map((c) => c.data?.content)).toEqual(['first']);
  });

  it('keeps the bytes of multipart uploads and serves them at the attachment URL', async () => {
    const jpeg = await placeholderJpeg('20192');
    const answer = (await rest.post(Routes.channelMessages(fake.channelId), {
      body: { content: 'two', attachments: [{ id: '0', filename: 'image-1.jpg' }] },
      files: [{ name: 'image-1.jpg', data: jpeg, contentType: 'image/jpeg' }],
    })) as { id: string; attachments: { url: string; filename: string; size: number }[] };
    expect(answer.attachments[0]).toMatchObject({ filename: 'image-1.jpg', size: jpeg.length });
    expect(fake.message(answer.id).attachments[0]?.bytes.equals(jpeg)).toBe(true);
    const served = Buffer.from(await (await fetch(answer.attachments[0]?.url ?? '')).arrayBuffer());
    expect((await sharp(served).metadata()).width).toBe(64);
  });

  it('answers 401 to requests without the bot token', async () => {
    const anonymous = new REST({ api: fake.apiBase, retries: 0 }).setToken('some.other.token');
    const err = await failure(anonymous.get(Routes.user('@me')));
    expect((err as DiscordAPIError).status).toBe(401);
    expect(fake.requests[0]?.authorized).toBe(false);
  });

  it('closes the gateway with 4014 when a bot asks for a privileged intent it was not granted', async () => {
    const { url } = (await rest.get(Routes.gatewayBot())) as { url: string };
    const ws = new WebSocket(`${url}?v=10&encoding=json`);
    const [hello] = (await once(ws, 'message')) as [Buffer];
    expect(JSON.parse(hello.toString()).op).toBe(GatewayOpcodes.Hello);
    ws.send(
      JSON.stringify({
        op: GatewayOpcodes.Identify,
        d: {
          token: fake.token,
          intents: GatewayIntentBits.Guilds | GatewayIntentBits.MessageContent,
          properties: { os: 'linux', browser: 'test', device: 'test' },
        },
      }),
    );
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(4014);
  });
});
