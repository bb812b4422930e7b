import { createRequire } from 'node:module';
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';

/**
 * Charts carry their own font (DejaVu Sans, shipped as TTF files by the `dejavu-fonts-ttf` package) and
 * never ask the system for one: a CI machine or container without fontconfig fonts renders the same
 * labels, pixel for pixel, as a desktop. DejaVu also covers accented and most non-Latin letters that a
 * model id or category name might hold.
 */
export const CHART_FONT_FAMILY = 'DejaVu Sans';

const require = createRequire(import.meta.url);

export const CHART_FONT_FILES: readonly string[] = [
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
];

/** resvg font settings: only the bundled files, so output never depends on what the machine has installed. */
export const RESVG_FONT_OPTIONS: NonNullable<ResvgRenderOptions['font']> = {
  loadSystemFonts: false,
  fontFiles: [...CHART_FONT_FILES],
  defaultFontFamily: CHART_FONT_FAMILY,
  sansSerifFamily: CHART_FONT_FAMILY,
};

const DEFAULT_SIZE_PX = 12;
const MAX_CACHED = 4000;
const widths = new Map<string, number>();

/** XML 1.0's Char production: resvg rejects a whole document that holds any other code point. */
const isXmlChar = (c: number) =>
  c === 0x9 ||
  c === 0xa ||
  c === 0xd ||
  (c >= 0x20 && c <= 0xd7ff) ||
  (c >= 0xe000 && c <= 0xfffd) ||
  c >= 0x10000;

/** `text` without what an SVG document cannot hold (control characters, lone surrogates). */
export function xmlSafe(text: string): string {
  let safe = '';
  for (const char of text) if (isXmlChar(char.codePointAt(0) ?? 0)) safe += char;
  return safe;
}

const escapeXml = (text: string) =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

function inkWidth(text: string, sizePx: number, bold: boolean): number {
  const svg =
    `<svg xmlns="http://www.w3.org/2000/svg" width="8000" height="${Math.ceil(sizePx * 3)}">` +
    `<text x="0" y="${sizePx * 2}" xml:space="preserve" font-family="${CHART_FONT_FAMILY}" ` +
    `font-size="${sizePx}" font-weight="${bold ? 'bold' : 'normal'}">${escapeXml(text)}</text></svg>`;
  return new Resvg(svg, { font: RESVG_FONT_OPTIONS }).getBBox()?.width ?? 0;
}

/**
 * The advance width of `text` in a CSS font shorthand such as `bold 16px "DejaVu Sans"`, measured by the
 * same renderer and font that draw the chart. ECharts lays out legends, axis labels and wrapping from
 * these widths; its built-in fallback (without a canvas) assumes narrower, Arial-like letters, so long
 * legend entries would overlap. Bracketing the text with bars and subtracting the bars alone turns resvg's
 * ink box into the advance width, spaces included.
 */
export function measureTextWidth(text: string, font: string | undefined): number {
  if (text === '') return 0;
  const size = Number(/(\d+(?:\.\d+)?)px/.exec(font ?? '')?.[1] ?? DEFAULT_SIZE_PX);
  const bold = /\b(bold|bolder|[6-9]00)\b/.test(font ?? '');
  const key = `${size}|${bold ? 'b' : 'n'}|${text}`;
  const cached = widths.get(key);
  if (cached !== undefined) return cached;
  const safe = xmlSafe(text);
  const width = safe === '' ? 0 : Math.max(0, inkWidth(`|${safe}|`, size, bold) - inkWidth('||', size, bold));
  if (widths.size >= MAX_CACHED) widths.clear();
  widths.set(key, width);
  return width;
}
