// Shared by the end-to-end journeys: the browser, sizes, the accessibility check, screenshots.
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { chromiumPath } from './browser.mjs';
import { webDir } from './harness.mjs';

const require = createRequire(import.meta.url);

export const exe = chromiumPath();
if (!exe && process.env.CI === 'true') {
  throw new Error(
    'e2e: no Chromium at /usr/bin/chromium (or CHROMIUM_PATH). Install it with `apt-get install -y chromium`; under CI=true the browser tests never skip.',
  );
}
export const SKIP = exe ? false : 'no Chromium at /usr/bin/chromium (apt-get install -y chromium)';

export const SHOTS = resolve(process.env.LENTERA_SCREENSHOTS ?? join(webDir, '..', 'target', 'screenshots'));
export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 360, height: 740 };
const AXE = require.resolve('axe-core/axe.min.js');

/** Fails with the list of axe-core violations (WCAG 2.1 A/AA and best practices) on the page. */
export async function checkA11y(page, label) {
  await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(' | ')}`);
  });
  assert.deepEqual(violations, [], `accessibility problems on ${label}:\n${violations.join('\n')}`);
}

/** A full-page screenshot, `<name>-phone.png` or `<name>-desktop.png` by the viewport. */
export async function shot(page, name) {
  const size = page.viewportSize();
  const suffix = size.width <= 400 ? 'phone' : 'desktop';
  await page.screenshot({ path: join(SHOTS, `${name}-${suffix}.png`), fullPage: true });
}

/** How many pixels the page is wider than the screen (0 when it fits). */
export function overflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
}
