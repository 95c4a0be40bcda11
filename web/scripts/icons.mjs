// Renders the PNG app icons from the SVG drawings in public/icons with headless Chromium
// (playwright-core driving the system's /usr/bin/chromium). Run after changing an icon:
//   npm run gen:icons
import { readFileSync, writeFileSync } from 'node:fs';
import { chromium } from 'playwright-core';
import { chromiumPath, launchArgs } from '../e2e/browser.mjs';

const dir = new URL('../public/icons/', import.meta.url);
const jobs = [
  ['icon.svg', 'icon-192.png', 192],
  ['icon.svg', 'icon-512.png', 512],
  ['maskable.svg', 'maskable-512.png', 512],
  ['maskable.svg', 'apple-touch-icon.png', 180],
];

const browser = await chromium.launch({ executablePath: chromiumPath(), args: launchArgs });
try {
  for (const [src, out, size] of jobs) {
    const svg = readFileSync(new URL(src, dir), 'utf8');
    const page = await browser.newPage({ viewport: { width: size, height: size } });
    await page.setContent(
      `<html><body style="margin:0;background:transparent">${svg.replace('<svg ', `<svg width="${size}" height="${size}" `)}</body></html>`,
    );
    writeFileSync(new URL(out, dir), await page.screenshot({ omitBackground: true, type: 'png' }));
    await page.close();
    console.log(`icons: wrote public/icons/${out}`);
  }
} finally {
  await browser.close();
}
