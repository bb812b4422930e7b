import sharp from 'sharp';
import type { CategoryChartInput, ChartSeries } from '../../src/charts/index.js';
import { rgbOf } from '../../src/charts/theme.js';
import { OFFICIAL_CATEGORIES } from '../../src/dataset/model.js';

/** A decoded PNG, read pixel by pixel. */
export interface Pixels {
  width: number;
  height: number;
  channels: number;
  data: Buffer;
}

export async function decode(png: Buffer): Promise<Pixels> {
  const { data, info } = await sharp(png).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: info.channels, data };
}

export function rgba(px: Pixels, x: number, y: number): [number, number, number, number] {
  const i = (y * px.width + x) * px.channels;
  return [px.data[i] ?? 0, px.data[i + 1] ?? 0, px.data[i + 2] ?? 0, px.data[i + 3] ?? 0];
}

/** Whether the pixel is opaque and within `tolerance` (per channel) of the colour. */
export function isColour(px: Pixels, x: number, y: number, hex: string, tolerance: number): boolean {
  const [r, g, b, a] = rgba(px, x, y);
  const [er, eg, eb] = rgbOf(hex);
  return (
    a === 255 &&
    Math.abs(r - er) <= tolerance &&
    Math.abs(g - eg) <= tolerance &&
    Math.abs(b - eb) <= tolerance
  );
}

export interface Rect {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

/** Pixels in [left, right) × [top, bottom) close to the colour. */
export function countColour(px: Pixels, rect: Rect, hex: string, tolerance: number): number {
  let count = 0;
  for (let y = Math.max(0, Math.floor(rect.top)); y < Math.min(px.height, Math.ceil(rect.bottom)); y++) {
    for (let x = Math.max(0, Math.floor(rect.left)); x < Math.min(px.width, Math.ceil(rect.right)); x++) {
      if (isColour(px, x, y, hex, tolerance)) count++;
    }
  }
  return count;
}

export function distinctColours(px: Pixels, rect: Rect): number {
  const seen = new Set<number>();
  for (let y = rect.top; y < rect.bottom; y++) {
    for (let x = rect.left; x < rect.right; x++) {
      const [r, g, b] = rgba(px, x, y);
      seen.add((r << 16) | (g << 8) | b);
    }
  }
  return seen.size;
}

/** The nine official categories and `All`, as the stats give them. */
export const CATEGORIES = [...OFFICIAL_CATEGORIES, 'All'];

/**
 * A series with a value in every category, all away from 25% and 50% (and their intervals too), so that
 * only the chance line can draw a long dark row there.
 */
export function series(
  name: string,
  kind: ChartSeries['kind'],
  shift: number,
  categories = CATEGORIES,
): ChartSeries {
  return {
    name,
    kind,
    values: categories.map((category, i) => {
      const setAcc = 60 + ((shift * 7 + i * 3) % 20);
      return { category, setAcc, low: setAcc - 6, high: Math.min(100, setAcc + 8), n: 20 + i };
    }),
  };
}

/** People and three models over the nine categories and `All`. */
export function fullInput(overrides: Partial<CategoryChartInput> = {}): CategoryChartInput {
  return {
    title: 'People vs models',
    categories: CATEGORIES,
    series: [
      series('People', 'people', 0),
      series('gpt-4o', 'model', 1),
      series('claude-sonnet-4-5', 'model', 2),
      series('always-a', 'model', 3),
    ],
    ...overrides,
  };
}
