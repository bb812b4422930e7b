import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { wrapLabel } from '../../src/charts/category-chart.js';
import { CHART_FONT_FILES, measureTextWidth, xmlSafe } from '../../src/charts/fonts.js';

const regular = '15px DejaVu Sans';

describe('the bundled chart font', () => {
  it('comes from files installed with the package, not from the system', () => {
    expect(CHART_FONT_FILES.length).toBeGreaterThan(0);
    for (const file of CHART_FONT_FILES) {
      expect(file).toMatch(/dejavu-fonts-ttf[\\/]ttf[\\/]DejaVuSans(-Bold)?\.ttf$/);
      expect(existsSync(file)).toBe(true);
    }
  });
});

describe('measureTextWidth', () => {
  it('measures real glyph advances: wide letters, bold and bigger sizes take more room', () => {
    expect(measureTextWidth('WWWW', regular)).toBeGreaterThan(measureTextWidth('iiii', regular) * 2);
    expect(measureTextWidth('Cerebral', `bold ${regular}`)).toBeGreaterThan(
      measureTextWidth('Cerebral', regular),
    );
    expect(measureTextWidth('Cerebral', '30px DejaVu Sans')).toBeCloseTo(
      2 * measureTextWidth('Cerebral', regular),
      0,
    );
  });

  it('adds up: a string is as wide as its parts, spaces included', () => {
    const whole = measureTextWidth('Head and Neck', regular);
    const parts = ['Head', ' ', 'and', ' ', 'Neck'].map((p) => measureTextWidth(p, regular));
    expect(whole).toBeCloseTo(
      parts.reduce((a, b) => a + b, 0),
      0,
    );
    expect(measureTextWidth(' ', regular)).toBeGreaterThan(2);
  });

  it('gives 0 for nothing and copes with characters an SVG cannot hold', () => {
    expect(measureTextWidth('', regular)).toBe(0);
    expect(measureTextWidth('\u0000', regular)).toBe(0);
    expect(measureTextWidth('a\u0007b', regular)).toBeCloseTo(measureTextWidth('ab', regular), 5);
  });
});

describe('xmlSafe', () => {
  it('drops control characters and lone surrogates but keeps tabs, newlines and astral characters', () => {
    expect(xmlSafe('a\u0000b\u001fc\ud800d')).toBe('abcd');
    expect(xmlSafe('tab\there\nnew 🩻 Ünï')).toBe('tab\there\nnew 🩻 Ünï');
  });
});

describe('wrapLabel', () => {
  it('keeps a name that fits on one line', () => {
    expect(wrapLabel('Cardiac', 100)).toEqual(['Cardiac']);
  });

  it('breaks between words first', () => {
    expect(wrapLabel('Nuclear Medicine', 90)).toEqual(['Nuclear', 'Medicine']);
  });

  it('hyphenates a word that is too wide after its combining form', () => {
    expect(wrapLabel('Musculoskeletal', 90)).toEqual(['Musculo-', 'skeletal']);
    expect(wrapLabel('Gastrointestinal', 90)).toEqual(['Gastro-', 'intestinal']);
  });

  it('never makes a line wider than asked when the word can be split', () => {
    for (const name of [
      'Musculoskeletal',
      'Pneumonoultramicroscopicsilicovolcanoconiosis',
      'Head and Neck',
    ]) {
      for (const line of wrapLabel(name, 60))
        expect(measureTextWidth(line, regular), line).toBeLessThanOrEqual(60);
    }
  });
});
