import { describe, expect, it } from 'vitest';
import { contrastRatio, DISCORD_THEME } from '../../src/charts/theme.js';

const theme = DISCORD_THEME;
const bars = [...theme.people, ...theme.models];

describe('contrastRatio', () => {
  it('follows the WCAG formula: 21 for black on white, 1 for a colour on itself', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#313338', '#313338')).toBe(1);
    // #767676 is the classic lightest grey with 4.5:1 on white.
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio('#777777', '#ffffff')).toBeLessThan(4.5);
  });
});

describe('the discord theme', () => {
  it('keeps all text readable on the card (WCAG AA, 4.5:1)', () => {
    expect(contrastRatio(theme.text, theme.card)).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio(theme.mutedText, theme.card)).toBeGreaterThanOrEqual(4.5);
  });

  it('makes every bar, the chance line and the axis stand out from the card (3:1 for graphics)', () => {
    for (const colour of [...bars, theme.chance, theme.whisker, theme.axisLine]) {
      expect(contrastRatio(colour, theme.card), colour).toBeGreaterThanOrEqual(3);
    }
  });

  it('makes the error bars stand out from every bar they are drawn over', () => {
    for (const colour of bars) expect(contrastRatio(theme.whisker, colour), colour).toBeGreaterThanOrEqual(3);
  });

  it("shows the card's edge on both of Discord's backgrounds", () => {
    const { dark, light } = theme.discordBackgrounds;
    expect(contrastRatio(theme.card, dark)).toBeGreaterThanOrEqual(3);
    expect(contrastRatio(theme.cardBorder, light)).toBeGreaterThanOrEqual(3);
  });

  it('gives each series its own colour, the chance line one that no series uses', () => {
    expect(new Set(bars).size).toBe(bars.length);
    expect(bars).not.toContain(theme.chance);
  });
});
