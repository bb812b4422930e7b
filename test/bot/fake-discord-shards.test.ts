import { once } from 'node:events';
import {
  Client,
  DiscordAPIError,
  Events,
  GatewayCloseCodes,
  GatewayDispatchEvents,
  GatewayIntentBits,
  GatewayOpcodes,
  type GatewayReadyDispatchData,
  type Interaction,
  REST,
  Routes,
} from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import {
  type FakeDiscord,
  type FakeGuild,
  shardOfSnowflake,
  startFakeDiscord,
} from '../support/fake-discord/index.js';

/**
 * The fake Discord with several guilds and shards, driven by real discord.js clients: each guild's
 * events reach only the sessions of the shard `(guild_id >> 22) % num_shards`, guild-less ones reach
 * shard 0, and sessions sharing a shard all receive it, as Discord's gateway documentation describes.
 */

interface ShardClient {
  client: Client;
  shard: number;
  /** Every interaction this client was sent, in arrival order. */
  interactions: Interaction[];
  /** The `t` of every dispatch this client's socket delivered, in order. */
  events: { t: string; d: unknown }[];
}

describe('the fake Discord with several shards', () => {
  let fake: FakeDiscord;
  let guild0: FakeGuild;
  let guild1: FakeGuild;
  const clients: Client[] = [];

  beforeEach(async () => {
    fake = await startFakeDiscord({ defaultGuild: { shardOf: [0, 2] }, recommendedShards: 2 });
    guild0 = fake.guild;
    guild1 = fake.addGuild({ name: 'Second Server', shardOf: [1, 2] });
  });
  afterEach(async () => {
    for (const client of clients.splice(0)) await client.destroy();
    await fake.close();
  });

  /** A discord.js client on one shard; `name` goes into its User-Agent, as a process would set it. */
  async function connect(shard: number, shardCount: number, name: string): Promise<ShardClient> {
    const client = new Client({
      shards: [shard],
      shardCount,
      intents: [GatewayIntentBits.Guilds],
      rest: { api: fake.apiBase, userAgentAppendix: name },
    });
    clients.push(client);
    const connected: ShardClient = { client, shard, interactions: [], events: [] };
    client.on(Events.InteractionCreate, (interaction) => connected.interactions.push(interaction));
    client.on(Events.Raw, (packet: { t: string | null; d: unknown }) => {
      if (packet.t !== null) connected.events.push({ t: packet.t, d: packet.d });
    });
    const ready = once(client, Events.ClientReady);
    await client.login(fake.token);
    await ready;
    return connected;
  }

  /** Resolves once `c`'s client has been delivered a dispatch matching `predicate`. */
  function delivered(
    c: ShardClient,
    predicate: (event: { t: string; d: unknown }) => boolean,
  ): Promise<void> {
    if (c.events.some(predicate)) return Promise.resolve();
    return new Promise((resolve) => {
      const listener = (packet: { t: string | null; d: unknown }) => {
        if (packet.t === null || !predicate({ t: packet.t, d: packet.d })) return;
        c.client.off(Events.Raw, listener);
        resolve();
      };
      c.client.on(Events.Raw, listener);
    });
  }

  it('places guilds made with shardOf on the shard the sharding formula names', () => {
    expect(shardOfSnowflake(guild0.id, 2)).toBe(0);
    expect(shardOfSnowflake(guild1.id, 2)).toBe(1);
    const onThirdOfFive = fake.addGuild({ shardOf: [3, 5] });
    expect((BigInt(onThirdOfFive.id) >> 22n) % 5n).toBe(3n);
  });

  it('sends each shard READY and GUILD_CREATE for its own guilds only', async () => {
    const a = await connect(0, 2, 'process-a');
    const b = await connect(1, 2, 'process-b');
    expect([...a.client.guilds.cache.keys()]).toEqual([guild0.id]);
    expect([...b.client.guilds.cache.keys()]).toEqual([guild1.id]);
    const readyOf = (c: ShardClient) => c.events.find((e) => e.t === 'READY')?.d as GatewayReadyDispatchData;
    expect(readyOf(a).shard).toEqual([0, 2]);
    expect(readyOf(b).shard).toEqual([1, 2]);
    expect(readyOf(b).guilds).toMatchObject([{ id: guild1.id, unavailable: true }]);
    expect(a.events.filter((e) => e.t === 'GUILD_CREATE')).toHaveLength(1);
    expect(b.events.filter((e) => e.t === 'GUILD_CREATE')).toHaveLength(1);
  });

  it("delivers a guild's interaction to that guild's shard only, answered in that guild's channel", async () => {
    const a = await connect(0, 2, 'process-a');
    const b = await connect(1, 2, 'process-b');
    for (const c of [a, b]) {
      c.client.on(Events.InteractionCreate, (interaction) => {
        if (interaction.isChatInputCommand()) void interaction.reply(`shard ${c.shard}`);
      });
    }
    const user0 = fake.addUser({ username: 'ana' });
    const user1 = fake.addUser({ username: 'ben', guild: guild1 });
    const in0 = fake.dispatchSlashCommand(user0, { name: 'ping' });
    const in1 = fake.dispatchSlashCommand(user1, { name: 'ping' });

    const reply0 = await fake.waitForReply(in0.id);
    const reply1 = await fake.waitForReply(in1.id);
    expect([reply0.content, reply0.channelId]).toEqual(['shard 0', guild0.channelId]);
    expect([reply1.content, reply1.channelId]).toEqual(['shard 1', guild1.channelId]);
    expect(fake.recipientsOf(in0.id).map((s) => s.shard)).toEqual([[0, 2]]);
    expect(fake.recipientsOf(in1.id).map((s) => s.shard)).toEqual([[1, 2]]);
    expect(a.interactions.map((i) => i.id)).toEqual([in0.id]);
    expect(b.interactions.map((i) => i.id)).toEqual([in1.id]);
  });

  it('resumes one shard dropped alone, replaying what its guild was sent meanwhile', async () => {
    const a = await connect(0, 2, 'process-a');
    const b = await connect(1, 2, 'process-b');
    const resumed = once(b.client, Events.ShardResume);
    fake.gateway.disconnect(GatewayCloseCodes.UnknownError, { shard: 1 });
    const sent = fake.dispatchSlashCommand(fake.addUser({ username: 'ben', guild: guild1 }), {
      name: 'ping',
    });
    await resumed;
    await delivered(b, (e) => e.t === 'INTERACTION_CREATE');
    expect(b.interactions.map((i) => i.id)).toEqual([sent.id]);
    expect(fake.gateway.resumes).toHaveLength(1);
    expect(fake.identifies).toHaveLength(2);
    expect(a.interactions).toEqual([]);
  });

  it("serves every guild's channel, roles and members over REST", async () => {
    const rest = new REST({ api: fake.apiBase, retries: 0 }).setToken(fake.token);
    const member = fake.addUser({ username: 'ben', roles: ['Quiz Host'], guild: guild1 });
    const posted = (await rest.post(Routes.channelMessages(guild1.channelId), {
      body: { content: 'hi' },
    })) as {
      id: string;
      channel_id: string;
    };
    expect(posted.channel_id).toBe(guild1.channelId);
    await rest.patch(Routes.channelMessage(guild1.channelId, posted.id), { body: { content: 'edited' } });
    expect(fake.message(posted.id).content).toBe('edited');
    const channel = (await rest.get(Routes.channel(guild1.channelId))) as { guild_id: string };
    expect(channel.guild_id).toBe(guild1.id);
    const roles = (await rest.get(Routes.guildRoles(guild1.id))) as { name: string }[];
    expect(roles.map((r) => r.name)).toEqual(['@everyone', 'Quiz Host']);
    const fetched = (await rest.get(Routes.guildMember(guild1.id, member.user.id))) as { roles: string[] };
    expect(fetched.roles).toEqual(member.roles);
    const elsewhere = await rest
      .get(Routes.guildMember(guild0.id, member.user.id))
      .catch((err: unknown) => err);
    expect((elsewhere as DiscordAPIError).code).toBe(10007);
  });

  it("lets one person act in each guild they joined, as that guild's member", () => {
    const ana = fake.addUser({ username: 'ana' });
    expect(() => fake.createSlashCommand(ana, { name: 'ping' }, { guild: guild1 })).toThrow(/not a member/);
    const anaThere = fake.addUser({ id: ana.user.id, username: 'ana', roles: ['Quiz Host'], guild: guild1 });
    const sent = fake.createSlashCommand(ana, { name: 'ping' }, { channelId: guild1.channelId });
    const payload = fake.interaction(sent.id).payload;
    expect([payload.guild_id, payload.channel_id, payload.member?.roles]).toEqual([
      guild1.id,
      guild1.channelId,
      anaThere.roles,
    ]);
  });

  it('sends a role made in a guild to the shard of that guild only', async () => {
    const a = await connect(0, 2, 'process-a');
    const b = await connect(1, 2, 'process-b');
    fake.addUser({ username: 'host', roles: ['Quiz Host'], guild: guild1 });
    await delivered(b, (e) => e.t === 'GUILD_ROLE_CREATE');
    expect(b.client.guilds.cache.get(guild1.id)?.roles.cache.some((r) => r.name === 'Quiz Host')).toBe(true);
    // Events on one socket arrive in order: the marker sent to shard 0 after the role came after it.
    fake.gateway.dispatch(GatewayDispatchEvents.GuildUpdate, fake.world.guildCreate(guild0));
    await delivered(a, (e) => e.t === 'GUILD_UPDATE');
    expect(a.events.some((e) => e.t === 'GUILD_ROLE_CREATE')).toBe(false);
  });

  it('delivers a DM interaction to shard 0 only', async () => {
    const a = await connect(0, 2, 'process-a');
    const b = await connect(1, 2, 'process-b');
    const user = fake.addUser({ username: 'ana' });
    const dm = fake.dispatchDirectMessageSlashCommand(user, { name: 'stats' });
    await delivered(a, (e) => e.t === 'INTERACTION_CREATE');
    expect(a.interactions.map((i) => [i.id, i.inGuild()])).toEqual([[dm.id, false]]);
    expect(fake.recipientsOf(dm.id).map((s) => s.shard)).toEqual([[0, 2]]);
    // Shard 1 is sent a marker after the DM; had the DM reached it, it would have come first.
    fake.gateway.dispatch(GatewayDispatchEvents.GuildUpdate, fake.world.guildCreate(guild1));
    await delivered(b, (e) => e.t === 'GUILD_UPDATE');
    expect(b.events.some((e) => e.t === 'INTERACTION_CREATE')).toBe(false);
  });

  it('sends a guild added while connected to its shard as GUILD_CREATE', async () => {
    const a = await connect(0, 2, 'process-a');
    const joined = fake.addGuild({ name: 'Third Server', shardOf: [0, 2] });
    await once(a.client, Events.GuildCreate);
    expect(a.client.guilds.cache.has(joined.id)).toBe(true);
  });

  it('closes with 4010 an IDENTIFY whose shard id is not below the shard count', async () => {
    const { url } = (await new REST({ api: fake.apiBase }).setToken(fake.token).get(Routes.gatewayBot())) as {
      url: string;
    };
    const ws = new WebSocket(`${url}?v=10&encoding=json`);
    await once(ws, 'message');
    ws.send(
      JSON.stringify({
        op: GatewayOpcodes.Identify,
        d: {
          token: fake.token,
          intents: GatewayIntentBits.Guilds,
          properties: { os: 'linux', browser: 'test', device: 'test' },
          shard: [2, 2],
        },
      }),
    );
    const [code] = (await once(ws, 'close')) as [number];
    expect(code).toBe(GatewayCloseCodes.InvalidShard);
    expect(fake.gateway.sessions()).toEqual([]);
  });

  it('closes with 4011 a shard that would hold more guilds than the per-shard cap', async () => {
    await fake.close();
    fake = await startFakeDiscord({ maxGuildsPerShard: 1 });
    fake.addGuild();
    const client = new Client({ intents: [GatewayIntentBits.Guilds], rest: { api: fake.apiBase } });
    clients.push(client);
    const disconnected = once(client, Events.ShardDisconnect) as Promise<[{ code: number }]>;
    const login = client.login(fake.token).catch((err: unknown) => err);
    const [event] = await disconnected;
    expect(event.code).toBe(GatewayCloseCodes.ShardingRequired);
    expect(fake.gateway.closeCodes).toEqual([GatewayCloseCodes.ShardingRequired]);
    await login;
  });

  it('delivers to both sessions on one shard, and accepts only the first answer', async () => {
    const first = await connect(1, 2, 'process-a');
    const second = await connect(1, 2, 'process-b');
    await fake.gateway.whenConnected({ shard: 1, sessions: 2 });
    expect(fake.gateway.sessionsFor(1)).toBe(2);
    expect(fake.gateway.sessionsFor(0)).toBe(0);
    const outcomes: Promise<string>[] = [];
    for (const c of [first, second]) {
      c.client.on(Events.InteractionCreate, (interaction) => {
        if (!interaction.isChatInputCommand()) return;
        outcomes.push(
          interaction.reply('mine').then(
            () => 'accepted',
            (err: unknown) => (err instanceof DiscordAPIError ? String(err.code) : String(err)),
          ),
        );
      });
    }
    const user = fake.addUser({ username: 'ben', guild: guild1 });
    const sent = fake.dispatchSlashCommand(user, { name: 'ping' });

    const callbacks = await fake.waitUntil(() => {
      const requests = fake.requests.filter((r) => r.params.interaction_id === sent.id);
      return requests.length === 2 ? requests : undefined;
    }, 'two answers to one interaction');
    expect(fake.recipientsOf(sent.id)).toHaveLength(2);
    expect(first.interactions.map((i) => i.id)).toEqual([sent.id]);
    expect(second.interactions.map((i) => i.id)).toEqual([sent.id]);
    expect(callbacks.map((r) => r.status).sort()).toEqual([204, 400]);
    const loser = callbacks.find((r) => r.status === 400);
    expect(loser?.userAgent).toMatch(/^DiscordBot \(.*\) .*process-[ab]$/);
    expect(fake.interaction(sent.id).callbacks).toHaveLength(1);
    expect((await Promise.all(outcomes)).sort()).toEqual(['40060', 'accepted']);
  });

  it("records each request's User-Agent, which carries the client's appendix", async () => {
    const a = await connect(0, 2, 'process-a');
    await a.client.rest.get(Routes.user('@me'));
    const agents = new Set(fake.requests.map((r) => r.userAgent));
    expect(
      [...agents].every((agent) => agent?.startsWith('DiscordBot (') && agent.endsWith('process-a')),
    ).toBe(true);
  });

  it('waits for a session of a given shard', async () => {
    const waiting = fake.gateway.whenConnected({ shard: 1 });
    await connect(0, 2, 'process-a');
    expect(fake.gateway.sessionsFor(1)).toBe(0);
    await connect(1, 2, 'process-b');
    await waiting;
    expect(fake.gateway.sessions().map((s) => s.shard)).toEqual([
      [0, 2],
      [1, 2],
    ]);
  });

  it('forgets a session its client closed, which can no longer resume', async () => {
    const a = await connect(0, 2, 'process-a');
    expect(fake.gateway.sessionsFor(0)).toBe(1);
    await a.client.destroy();
    await fake.waitUntil(
      () => (fake.gateway.sessions().length === 0 ? true : undefined),
      'the session to end',
    );
  });

  it('recommends the configured shard count and a session start limit on GET /gateway/bot', async () => {
    const info = (await new REST({ api: fake.apiBase }).setToken(fake.token).get(Routes.gatewayBot())) as {
      shards: number;
      session_start_limit: { max_concurrency: number; remaining: number };
    };
    expect(info.shards).toBe(2);
    expect(info.session_start_limit.max_concurrency).toBe(1);
  });
});
