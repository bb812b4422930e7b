/**
 * Draws the demo set's images: simple synthetic shapes, made for this project, each stamped
 * "DEMO - synthetic drawing, not a patient image". `npm start` falls back to this set when the
 * MediConfusion dataset cannot be downloaded. Regenerate with:  npx tsx data/demo/generate.ts
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';

const SIZE = 480;
const here = import.meta.dirname;

/** A dark, radiograph-like canvas with the demo stamp; `body` is the drawing's SVG elements. */
function canvas(body: string): string {
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${SIZE}" height="${SIZE}" viewBox="0 0 ${SIZE} ${SIZE}">
  <defs>
    <radialGradient id="bg" cx="50%" cy="45%" r="70%">
      <stop offset="0%" stop-color="#2b2b2b"/><stop offset="100%" stop-color="#050505"/>
    </radialGradient>
    <filter id="soft"><feGaussianBlur stdDeviation="2.5"/></filter>
  </defs>
  <rect width="100%" height="100%" fill="url(#bg)"/>
  <g filter="url(#soft)">${body}</g>
  <rect x="0" y="${SIZE - 34}" width="${SIZE}" height="34" fill="#ffd400"/>
  <text x="${SIZE / 2}" y="${SIZE - 11}" text-anchor="middle" font-family="DejaVu Sans, sans-serif"
    font-size="17" font-weight="bold" fill="#000">DEMO - synthetic drawing, not a patient image</text>
</svg>`;
}

/** Two lung fields inside a rib-cage outline, seen from the front. */
function chest(extra: string): string {
  return canvas(`
  <path d="M120 90 Q240 40 360 90 L400 380 Q240 420 80 380 Z" fill="#3c3c3c"/>
  <ellipse cx="170" cy="230" rx="70" ry="130" fill="#151515"/>
  <ellipse cx="310" cy="230" rx="70" ry="130" fill="#151515"/>
  <rect x="228" y="70" width="24" height="320" fill="#8a8a8a"/>
  ${[0, 1, 2, 3, 4]
    .map(
      (i) =>
        `<path d="M100 ${130 + i * 50} Q170 ${110 + i * 50} 235 ${135 + i * 50}" stroke="#6a6a6a" stroke-width="7" fill="none"/>
         <path d="M380 ${130 + i * 50} Q310 ${110 + i * 50} 245 ${135 + i * 50}" stroke="#6a6a6a" stroke-width="7" fill="none"/>`,
    )
    .join('')}
  ${extra}`);
}

/** An axial head outline: skull ring, brain, midline. */
function head(extra: string, midlineShift = 0): string {
  return canvas(`
  <ellipse cx="240" cy="215" rx="150" ry="180" fill="#d8d8d8"/>
  <ellipse cx="240" cy="215" rx="132" ry="162" fill="#4a4a4a"/>
  <path d="M240 60 Q${240 + midlineShift} 215 240 370" stroke="#9a9a9a" stroke-width="5" fill="none"/>
  ${extra}`);
}

/** A long bone seen from the side; `shaft` draws the middle part. */
function bone(shaft: string): string {
  return canvas(`
  <ellipse cx="240" cy="80" rx="70" ry="45" fill="#dcdcdc"/>
  <ellipse cx="240" cy="360" rx="70" ry="45" fill="#dcdcdc"/>
  ${shaft}`);
}

/** Two bone ends meeting at a joint, with a gap of `gap` pixels. */
function joint(gap: number): string {
  const top = 215 - gap / 2;
  const bottom = 215 + gap / 2;
  return canvas(`
  <path d="M180 40 L300 40 L310 ${top - 30} Q240 ${top + 10} 170 ${top - 30} Z" fill="#dcdcdc"/>
  <path d="M170 ${bottom + 30} Q240 ${bottom - 10} 310 ${bottom + 30} L300 420 L180 420 Z" fill="#dcdcdc"/>`);
}

const images: Record<string, string> = {
  'chest-spot-left': chest('<circle cx="150" cy="180" r="26" fill="#e6e6e6"/>'),
  'chest-spot-right': chest('<circle cx="330" cy="180" r="26" fill="#e6e6e6"/>'),
  'chest-one-spot': chest('<circle cx="300" cy="260" r="22" fill="#e6e6e6"/>'),
  'chest-three-spots': chest(
    '<circle cx="150" cy="160" r="18" fill="#e6e6e6"/><circle cx="320" cy="200" r="18" fill="#e6e6e6"/><circle cx="170" cy="300" r="18" fill="#e6e6e6"/>',
  ),
  'head-spot-front': head('<circle cx="240" cy="120" r="28" fill="#f4f4f4"/>'),
  'head-spot-back': head('<circle cx="240" cy="310" r="28" fill="#f4f4f4"/>'),
  'head-midline-straight': head('<ellipse cx="170" cy="215" rx="28" ry="60" fill="#262626"/>', 0),
  'head-midline-shifted': head(
    '<ellipse cx="170" cy="215" rx="28" ry="60" fill="#262626"/><ellipse cx="150" cy="215" rx="55" ry="85" fill="#bdbdbd" opacity="0.8"/>',
    70,
  ),
  'bone-broken': bone(
    '<path d="M205 110 L275 110 L275 205 L205 225 Z" fill="#cfcfcf"/><path d="M205 245 L275 225 L275 330 L205 330 Z" fill="#cfcfcf"/>',
  ),
  'bone-intact': bone('<rect x="205" y="110" width="70" height="220" fill="#cfcfcf"/>'),
  'joint-narrow': joint(6),
  'joint-wide': joint(46),
};

await mkdir(path.join(here, 'images'), { recursive: true });
for (const [name, svg] of Object.entries(images)) {
  const file = path.join(here, 'images', `${name}.png`);
  await sharp(Buffer.from(svg)).png({ compressionLevel: 9, palette: true }).toFile(file);
  console.log(file);
}
