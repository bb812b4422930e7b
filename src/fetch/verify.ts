import { readFile } from 'node:fs/promises';
import sharp from 'sharp';
import type { z } from 'zod';

export type Verdict = { ok: true } | { ok: false; reason: string };

/**
 * A figure is usable when sharp decodes every pixel of it as a JPEG. Reading the header alone
 * would accept a truncated download, so the whole image is decoded; `failOn: 'truncated'`
 * tolerates the harmless warnings real-world JPEGs often carry but not missing data.
 */
export async function verifyJpeg(file: string): Promise<Verdict> {
  try {
    const image = sharp(file, { failOn: 'truncated' });
    const { format } = await image.metadata();
    if (format !== 'jpeg') return { ok: false, reason: `a ${format ?? 'unknown'} image, not a JPEG` };
    await image.raw().toBuffer();
    return { ok: true };
  } catch (err) {
    return { ok: false, reason: oneLine(err instanceof Error ? err.message : String(err)) };
  }
}

/** libvips repeats its warnings line after line; one mention of each is enough for a summary. */
function oneLine(message: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  return [...new Set(lines)].join('; ');
}

/** Parses a downloaded JSON file and checks it against the shape the project expects of it. */
export async function verifyJsonFile(file: string, schema: z.ZodType): Promise<Verdict> {
  let data: unknown;
  try {
    data = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    return { ok: false, reason: `not JSON (${err instanceof Error ? err.message : String(err)})` };
  }
  const parsed = schema.safeParse(data);
  if (parsed.success) return { ok: true };
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return { ok: false, reason: `not in the expected format${where}: ${issue?.message ?? 'invalid'}` };
}
