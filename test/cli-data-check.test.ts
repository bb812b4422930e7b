import { rm, truncate } from 'node:fs/promises';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createCliContext } from '../src/cli/context.js';
import { runCli } from '../src/cli/run.js';
import { EXAMPLE_SET, editPairs, freshOfficialDir } from './dataset/data-dirs.js';
import { ROOT } from './support/paths.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

async function dataCheck(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}) {
  const out = capture();
  const err = capture();
  const ctx = createCliContext({
    env: { LOG_LEVEL: 'silent', ...options.env },
    cwd: options.cwd ?? ROOT,
    out: out.stream,
    err: err.stream,
  });
  const code = await runCli(['data', 'check', ...args], ctx);
  return { code, out: out.text(), err: err.text() };
}

describe('mediconfusion data check', () => {
  it('reports 176 pairs, 228 images and 9 categories with no problems on a complete folder', async () => {
    const dir = await freshOfficialDir();

    const result = await dataCheck(['--dir', dir]);

    expect(result.out).toBe('176 pairs, 228 images, 9 categories: no problems\n');
    expect(result.code).toBe(0);
  });

  it('defaults to MEDICONFUSION_DATA_DIR, relative to the working directory', async () => {
    const dir = await freshOfficialDir();

    const result = await dataCheck([], {
      cwd: path.dirname(dir),
      env: { MEDICONFUSION_DATA_DIR: path.basename(dir) },
    });

    expect(result.out).toBe('176 pairs, 228 images, 9 categories: no problems\n');
  });

  it('lists every problem grouped by file with pair, field and line, and exits 1', async () => {
    const dir = await freshOfficialDir();
    await editPairs(dir, (pairs) => {
      Object.assign(pairs['10005'] ?? {}, { im_1_correct: 'C' });
      Object.assign(pairs['10008'] ?? {}, { option_B: pairs['10008']?.option_A });
    });
    const broken = path.join(dir, 'images', '20053.jpg');
    await truncate(broken, 300);

    const result = await dataCheck(['--dir', dir], { cwd: dir });

    expect(result.code).toBe(1);
    const lines = result.out.split('\n');
    expect(lines[0]).toBe('dataset.json (2 problems)');
    expect(lines[1]).toMatch(
      /^ {2}pair 10005, im_1_correct \(line \d+, column 25\): must be "A" or "B", got "C" \[ANSWER_INVALID\]$/,
    );
    expect(lines[2]).toMatch(/^ {2}pair 10008, option_B \(line \d+, column \d+\): .* \[OPTIONS_IDENTICAL\]$/);
    expect(result.out).toContain(
      'images/20053.jpg (1 problem)\n  pair 10001, im_2_local: image cannot be decoded',
    );
    expect(lines.at(-2)).toBe('175 pairs, 227 images, 9 categories: 3 problems in 2 files');
  });

  it('prints the summary and every problem as JSON with --json', async () => {
    const dir = await freshOfficialDir();
    await rm(path.join(dir, 'images', '20192.jpg'));

    const result = await dataCheck(['--dir', dir, '--json']);

    expect(result.code).toBe(1);
    const report = JSON.parse(result.out) as Record<string, unknown>;
    expect(report).toMatchObject({ source: dir, pairs: 176, images: 228, categories: 9, ok: false });
    expect(report.problems).toEqual([
      expect.objectContaining({
        file: path.join(dir, 'dataset.json'),
        pairId: '10001',
        field: 'im_1_local',
        code: 'IMAGE_MISSING',
      }),
    ]);
  });

  it('skips the images with --no-image-check', async () => {
    const dir = await freshOfficialDir();
    await rm(path.join(dir, 'images'), { recursive: true });

    const result = await dataCheck(['--dir', dir, '--no-image-check']);

    expect(result.out).toBe('176 pairs, 228 images, 9 categories: no problems\n');
    expect(result.code).toBe(0);
  });

  it('looks for images in the folder given by --images', async () => {
    const dir = await freshOfficialDir();
    const other = await freshOfficialDir();
    await rm(path.join(dir, 'images'), { recursive: true });

    const result = await dataCheck(['--dir', dir, '--images', path.join(other, 'images')]);

    expect(result.out).toBe('176 pairs, 228 images, 9 categories: no problems\n');
  });

  it('checks a custom set with --set', async () => {
    const result = await dataCheck(['--set', path.relative(ROOT, EXAMPLE_SET)]);

    expect(result.out).toBe('2 pairs, 4 images, 2 categories: no problems\n');
    expect(result.code).toBe(0);
  });

  it('says where the data folder was expected when it does not exist', async () => {
    const result = await dataCheck(['--dir', '/nonexistent/mediconfusion']);

    expect(result.code).toBe(1);
    expect(result.err).toContain('Data folder /nonexistent/mediconfusion not found');
    expect(result.err).toContain('mediconfusion data fetch');
  });

  it('refuses --set together with --dir', async () => {
    const result = await dataCheck(['--set', EXAMPLE_SET, '--dir', '/tmp']);

    expect(result.code).toBe(2);
    expect(result.err).toContain("cannot be used with option '--dir <dir>'");
  });
});
