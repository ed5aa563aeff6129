import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { darkPalette, PALETTE_FILE, tailwindThemeCss } from './dark-palette';

describe('dark palette', () => {
  const palette = darkPalette(tailwindThemeCss());
  const entry = (name: string) =>
    new RegExp(`--color-${name}: var\\(--if-light, (.+)\\)\\s+var\\(--if-dark, (.+)\\);`)
      .exec(palette)!
      .slice(1);
  const light = (name: string) => entry(name)[0];
  const dark = (name: string) => entry(name)[1];

  it('app/dark-palette.css is what the script makes from the installed tailwindcss (re-run `npm run theme:palette`)', () => {
    expect(readFileSync(PALETTE_FILE, 'utf8')).toBe(palette);
  });

  it('keeps every light value and gives every colour of every palette a dark one', () => {
    const theme = tailwindThemeCss();
    const names = [...theme.matchAll(/^\s*--color-([a-z]+-\d+):\s*([^;]+);/gm)];
    expect(names.length).toBeGreaterThan(250);
    for (const [, name, value] of names) expect(light(name!)).toBe(value!.trim());
  });

  it('mirrors the steps so that a pair that reads in light reads in dark', () => {
    // The card (white) becomes slate 900, the page behind it (slate 50) darker still.
    expect(dark('white')).toBe(light('slate-900'));
    expect(dark('slate-50')).toBe(light('slate-950'));
    // Body text and muted text turn light; borders and hover fills stay off the card's colour.
    expect(dark('slate-900')).toBe(light('slate-100'));
    expect(dark('slate-700')).toBe(light('slate-300'));
    expect(dark('slate-600')).toBe(light('slate-400'));
    expect(dark('slate-100')).toBe(light('slate-800'));
    expect(dark('slate-200')).toBe(light('slate-700'));
    // A message box: text-red-800 on bg-red-50 becomes red 200 on red 950.
    expect(dark('red-50')).toBe(light('red-950'));
    expect(dark('red-800')).toBe(light('red-200'));
    expect(dark('indigo-700')).toBe(light('indigo-300'));
    expect(dark('indigo-600')).toBe(light('indigo-400'));
    expect(palette).not.toMatch(/--color-black/);
  });
});
