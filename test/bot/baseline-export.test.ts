import { parse } from 'csv-parse/sync';
import { MessageFlags, PermissionFlagsBits } from 'discord.js';
import { Parser, type ReadEntry } from 'tar';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baselineCollections } from '../../src/baseline/store-layout.js';
import { LOOSE_FILES } from '../../src/bot/baseline-export.js';
import type { FakeMessage, FakeUser } from '../support/fake-discord/index.js';
import {
  type BaselineBot,
  buttonId,
  playOnePair,
  settled,
  slash,
  startBaselineBot,
} from './baseline-support.js';

/** What a person downloading the attachment gets: the bytes from the fake's CDN. */
async function download(url: string): Promise<Buffer> {
  const response = await fetch(url);
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function tarEntries(bytes: Buffer): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  await new Promise<void>((resolve, reject) => {
    const parser = new Parser({
      strict: true,
      onReadEntry: (entry: ReadEntry) => {
        if (entry.type !== 'File') {
          entry.resume();
          return;
        }
        const chunks: Buffer[] = [];
        entry.on('data', (c: Buffer) => chunks.push(c));
        entry.on('end', () => files.set(entry.path, Buffer.concat(chunks)));
      },
    });
    parser.on('end', () => resolve());
    parser.on('error', reject);
    parser.end(bytes);
  });
  return files;
}

type Row = Record<string, string>;

describe('/export on Discord', () => {
  let h: BaselineBot;
  let host: FakeUser;
  let roleHost: FakeUser;
  let member: FakeUser;
  const players: FakeUser[] = [];
  let reply: FakeMessage;
  const downloaded = new Map<string, Buffer>();

  beforeAll(async () => {
    h = await startBaselineBot({ env: { DISCORD_HOST_ROLE: 'Quiz Host' }, pairs: 4 });
    host = h.fake.addUser({ username: 'chief', permissions: PermissionFlagsBits.ManageGuild });
    roleHost = h.fake.addUser({ username: 'teacher', roles: ['Quiz Host'] });
    member = h.fake.addUser({ username: 'student' });
    for (const name of ['player-ana', 'player-ben']) {
      const user = h.fake.addUser({ username: name });
      players.push(user);
      await playOnePair(h, user, [true, true]);
      await playOnePair(h, user, [true, false]);
    }
    // A third person answers one image only: stored, exported, not yet scored.
    const third = h.fake.addUser({ username: 'player-chen' });
    players.push(third);
    const notice = await slash(h, third, { name: 'baseline' });
    const accept = h.fake.dispatchButton(third, buttonId(notice, 'I agree, start'), notice);
    await settled(h, accept, 1);
    const shown = h.fake.message(notice.id);
    const click = h.fake.dispatchButton(third, buttonId(shown, 'Image 1 → A'), shown);
    await settled(h, click, 1);

    reply = await slash(h, host, { name: 'export' });
    for (const attachment of reply.attachments)
      downloaded.set(attachment.filename, await download(attachment.url));
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  });

  const storedAnswers = async () => {
    const rows = [];
    for await (const [, r] of baselineCollections(h.store).answers.entries()) rows.push(r);
    return rows;
  };

  it('replies privately with the answers, report and score table, plus every file in a .tar.gz', () => {
    expect(reply.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    const names = reply.attachments.map((a) => a.filename);
    expect(names.slice(0, LOOSE_FILES.length)).toEqual([...LOOSE_FILES]);
    expect(names.at(-1)).toMatch(/^mediconfusion-baseline-official-\d{8}-\d{4}\.tar\.gz$/);
    expect(names.length).toBeLessThanOrEqual(10);
    expect(reply.content).toContain('9 answers (9 baseline, 0 quiz) of 3 participants');
    expect(reply.content).toContain('whole deployment');
    for (const attachment of reply.attachments) {
      expect(downloaded.get(attachment.filename)?.equals(attachment.bytes)).toBe(true);
    }
  });

  it('exports as many CSV rows as answers are stored, each under its pseudonym', async () => {
    const rows = parse(downloaded.get('answers.csv') as Buffer, { columns: true }) as Row[];
    const stored = await storedAnswers();
    expect(rows).toHaveLength(stored.length);
    expect(rows).toHaveLength(9);
    const expected = new Set(players.map((p) => h.service.pseudonymOf(p.user.id)));
    expect(new Set(rows.map((r) => r.participant))).toEqual(expected);
    for (const row of rows) {
      expect(row.context).toBe('baseline');
      expect(['1', '2']).toContain(row.image);
      expect(Number(row.response_ms)).toBeGreaterThanOrEqual(0);
    }
    const json = JSON.parse((downloaded.get('answers.json') as Buffer).toString('utf8')) as unknown[];
    expect(json).toHaveLength(stored.length);
  });

  it('never puts a Discord id or name in any exported file', async () => {
    const bundle = downloaded.get(reply.attachments.at(-1)?.filename ?? '') as Buffer;
    const inBundle = await tarEntries(bundle);
    const isText = (name: string) => name.endsWith('.csv') || name.endsWith('.json');
    const texts = [...downloaded.entries(), ...inBundle.entries()]
      .filter(([name]) => isText(name))
      .map(([, bytes]) => bytes.toString('utf8'));
    expect(texts.length).toBeGreaterThan(10);
    for (const person of [...players, host]) {
      for (const text of texts) {
        expect(text).not.toContain(person.user.id);
        expect(text).not.toContain(person.user.username);
      }
    }
  });

  it('bundles every file of the export, the per-level score tables and the manifest included', async () => {
    const bundleName = reply.attachments.at(-1)?.filename.replace(/\.tar\.gz$/, '') ?? '';
    const inBundle = await tarEntries(downloaded.get(`${bundleName}.tar.gz`) as Buffer);
    const names = [...inBundle.keys()].map((p) => p.replace(`${bundleName}/`, ''));
    expect(names).toEqual(
      expect.arrayContaining([
        'answers.csv',
        'answers.json',
        'report.json',
        'participants.csv',
        'manifest.json',
        'people-majority_mc_score.json',
        'people-majority-unspecified_mc_score.json',
      ]),
    );
    const manifest = JSON.parse(inBundle.get(`${bundleName}/manifest.json`)?.toString('utf8') ?? '{}') as {
      files: string[];
    };
    expect(names.filter((n) => n !== 'manifest.json').sort()).toEqual([...manifest.files].sort());
    expect(inBundle.get(`${bundleName}/answers.csv`)?.equals(downloaded.get('answers.csv') as Buffer)).toBe(
      true,
    );
  });

  it('gives the same pseudonyms in a later export', async () => {
    const again = await slash(h, roleHost, { name: 'export' });
    const csv = again.attachments.find((a) => a.filename === 'answers.csv');
    const rows = parse(await download(csv?.url ?? ''), { columns: true }) as Row[];
    const first = parse(downloaded.get('answers.csv') as Buffer, { columns: true }) as Row[];
    expect(rows.map((r) => r.participant)).toEqual(first.map((r) => r.participant));
  });

  it('refuses members who are not hosts, privately, and attaches nothing', async () => {
    const refused = await slash(h, member, { name: 'export' });
    expect(refused.flags & MessageFlags.Ephemeral).toBe(MessageFlags.Ephemeral);
    expect(refused.content).toBe(
      'Only hosts can export the baseline: members who can manage the server or have the Quiz Host role.',
    );
    expect(refused.attachments).toEqual([]);
  });
});
