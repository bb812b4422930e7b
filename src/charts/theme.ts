/**
 * The `discord` chart theme. Discord shows an attachment on #313338 (dark theme) or #ffffff (light theme)
 * and we cannot know which, so the chart draws its own solid light card with a mid-grey border: everything
 * inside is measured against the card alone, and the border keeps the card's edge visible on white.
 *
 * The bar colours are mid-tones on purpose: dark enough to stand out from the card (≥ 3:1, the WCAG
 * figure for graphics) and light enough for the black error bars drawn over them to stand out too.
 * test/charts/theme.test.ts checks every pairing below with the WCAG formula.
 */
export const DISCORD_THEME = {
  /** What Discord paints behind an image, in its dark and light themes. */
  discordBackgrounds: { dark: '#313338', light: '#ffffff' },
  card: '#f7f8fa',
  cardBorder: '#8a919c',
  /** Titles and category names. */
  text: '#1f2328',
  /** Subtitle, axis numbers, "n=0" notes. */
  mutedText: '#4b5563',
  gridLine: '#d9dde3',
  axisLine: '#6b7280',
  /** Error bars (95% intervals). */
  whisker: '#111418',
  /** The dashed chance line: pure black, which no other element uses (anti-aliasing only lightens). */
  chance: '#000000',
  /** Colours for series of kind `people`, in order. */
  people: ['#1f6fb5', '#00838f'],
  /** Colours for series of kind `model`, in order; they repeat past the end. */
  models: ['#c25e00', '#1b8a5a', '#8e44ad', '#8d6e63', '#5e60ce', '#7a6c00', '#a0522d'],
} as const;

export type ChartTheme = typeof DISCORD_THEME;

function channel(value: number): number {
  const c = value / 255;
  return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
}

/** WCAG 2 relative luminance of a `#rrggbb` colour. */
export function relativeLuminance(hex: string): number {
  const match = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (match === null) throw new RangeError(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [match[1], match[2], match[3]].map((h) => channel(Number.parseInt(h ?? '0', 16)));
  return 0.2126 * (r ?? 0) + 0.7152 * (g ?? 0) + 0.0722 * (b ?? 0);
}

/** WCAG 2 contrast ratio between two `#rrggbb` colours, from 1 to 21. */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return ((hi ?? 0) + 0.05) / ((lo ?? 0) + 0.05);
}

/** `#rrggbb` to [r, g, b] bytes. */
export function rgbOf(hex: string): [number, number, number] {
  relativeLuminance(hex);
  return [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16)) as [number, number, number];
}
