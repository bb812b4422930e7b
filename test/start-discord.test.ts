import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type RunningApp, startApp } from '../src/app/compose.js';
import { deployCommands } from '../src/app/deploy-commands.js';
import { createCliContext } from '../src/cli/context.js';
import { COMMANDS } from '../src/commands/index.js';
import { loadDiscordConfig } from '../src/config.js';
import { UserFacingError } from '../src/errors.js';
import { createLogger } from '../src/logger.js';
import { discordEnv } from './bot/harness.js';
import { type FakeDiscord, startFakeDiscord } from './support/fake-discord/index.js';
import { current } from './support/quiz-round.js';

/** `npm start` with DISCORD_TOKEN set: the bot runs beside the web channel, over the same engine and store. */

let cwd: string;
let fake: FakeDiscord;
let app: RunningApp | null = null;

beforeEach(async () => {
  cwd = await mkdtemp(path.join(tmpdir(), 'start-discord-'));
  fake = await startFakeDiscord();
  await deployCommands({
    config: loadDiscordConfig(discordEnv(fake)),
    commands: COMMANDS,
    log: createLogger({ level: 'silent' }),
  });
});

afterEach(async () => {
  await app?.close();
  app = null;
  await fake.close();
  await rm(cwd, { recursive: true, force: true });
});

function start(env: Record<string, string>): Promise<RunningApp> {
  const ctx = createCliContext({
    env: { LOG_LEVEL: 'silent', ...env },
    cwd,
    out: new PassThrough(),
    err: new PassThrough(),
  });
  return startApp(ctx, { port: 0, demo: true });
}

describe('npm start with Discord configured', () => {
  it('names Discord and DISCORD_API_BASE when Discord cannot be reached, as a user-facing error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const address = closed.address();
    const port = typeof address === 'object' && address !== null ? address.port : 0;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failure = await start({
      ...discordEnv(fake),
      DISCORD_API_BASE: `http://127.0.0.1:${port}/api`,
    }).then(
      (started) => {
        app = started;
        return null;
      },
      (err: unknown) => err,
    );
    expect(failure).toBeInstanceOf(UserFacingError);
    expect((failure as UserFacingError).code).toBe('DISCORD_UNREACHABLE');
    const message = (failure as UserFacingError).message;
    expect(message).toContain(`Cannot connect to Discord at http://127.0.0.1:${port}/api (DISCORD_API_BASE)`);
    expect(message).toContain('ECONNREFUSED');
    expect(message).not.toContain(fake.token);
  });

  it('runs the bot on the web channel’s engine, so a Discord quiz is a session of that one engine', async () => {
    app = await start(discordEnv(fake));
    const host = fake.addUser({ username: 'host' });
    const sent = fake.dispatchSlashCommand(host, {
      name: 'quiz',
      subcommand: 'start',
      options: { rounds: 1, seconds: 600 },
    });
    const reply = await fake.waitForReply(sent.id);
    expect(reply.content).toContain('started a quiz');
    const session = app.engine.session(fake.channelId);
    expect(session?.round?.state).toBe('open');
  });

  it('counts a Discord round in the web stats page, because both read one engine and one store', async () => {
    app = await start(discordEnv(fake));
    const host = fake.addUser({ username: 'host' });
    const player = fake.addUser({ username: 'player' });
    await fake.waitForReply(
      fake.dispatchSlashCommand(host, {
        name: 'quiz',
        subcommand: 'start',
        options: { rounds: 1, seconds: 600 },
      }).id,
    );
    const sessionId = app.engine.session(fake.channelId)?.sessionId;
    for (const button of [`quiz-answer:${sessionId}:1:1:A`, `quiz-answer:${sessionId}:1:2:B`]) {
      await fake.waitForReply(fake.dispatchButton(player, button).id);
    }
    await app.engine.reveal(fake.channelId, { kind: 'system' }, current(app.engine, fake.channelId));
    const stats = (await (await fetch(`${app.web.publicUrl}/api/stats`)).json()) as {
      rounds: number;
      people: number;
    };
    expect(stats).toMatchObject({ rounds: 1, people: 1 });
    const engineStats = await app.engine.stats({ kind: 'guild', guildId: fake.guildId });
    expect(engineStats).toMatchObject({ rounds: 1, people: 1 });
  });

  it('offers the private baseline on Discord and on the web, with one consent record per person', async () => {
    app = await start(discordEnv(fake));
    const person = fake.addUser({ username: 'resident' });
    const notice = await fake.waitForReply(fake.dispatchSlashCommand(person, { name: 'baseline' }).id);
    expect(notice.embeds[0]?.description).toContain('pseudonymous');
    const status = await fetch(`${app.web.publicUrl}/api/baseline/status`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ participant: 'b1f0a6a4-8d1e-4c55-9b7c-0d6a2f1e9c33' }),
    });
    expect(status.status).toBe(200);
    expect(((await status.json()) as { consent: { accepted: boolean } }).consent.accepted).toBe(false);
  });

  it('stops start-up naming DISCORD_CLIENT_ID when only the token is set', async () => {
    const { DISCORD_CLIENT_ID: _omitted, ...env } = discordEnv(fake);
    const failure = await start(env).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(UserFacingError);
    expect((failure as Error).message).toContain('DISCORD_CLIENT_ID');
  });
});
