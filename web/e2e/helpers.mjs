// Shared by the end-to-end journeys: one server and browser per file (`useServer`), signing in,
// the API as a second witness, the browser, sizes, the accessibility check, screenshots.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { chromium } from 'playwright-core';
import { chromiumPath, launchArgs } from './browser.mjs';
import { DEMO_PASSWORD, startServer, webDir } from './harness.mjs';

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

/** `YYYY-MM-DD` in Asia/Jakarta, `days` days from today (negative: in the past). */
export function jakartaDate(days = 0) {
  const d = new Date(Date.now() + days * 86_400_000);
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta', year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
}

/**
 * One real server and one Chromium for the journeys of a `describe` block: registers its
 * `before`/`after` hooks and returns the handles the journeys use. `demo: true` runs
 * `serve --demo` (the demo accounts, password DEMO_PASSWORD); otherwise the CLI-seeded server.
 * `env` (an object, or a function called at start-up) adds server settings.
 */
export function useServer({ demo = true, env = {} } = {}) {
  /** Pages by account and screen width, each in its own browser context (cookies, storage). */
  const sessions = new Map();
  const ctx = {
    server: null,
    browser: null,
    sessions,

    /** A new browser context for `email`, signed in through the login page. */
    async signIn(email, viewport = DESKTOP, password = DEMO_PASSWORD) {
      const context = await ctx.newContext(viewport);
      const page = await context.newPage();
      page.setDefaultTimeout(15_000);
      await page.goto(`${ctx.server.baseUrl}/login`);
      await page.getByLabel(/NIP atau email/).fill(email);
      await page.getByLabel(/^Kata sandi$/).fill(password);
      await page.getByRole('button', { name: 'Masuk' }).click();
      await page.getByRole('heading', { level: 1, name: /^Selamat datang/ }).waitFor();
      sessions.set(`${email}-${viewport.width}`, { context, page });
      return page;
    },

    /** The page of `email` at this width, signing in the first time. */
    async session(email, viewport = DESKTOP) {
      return sessions.get(`${email}-${viewport.width}`)?.page ?? ctx.signIn(email, viewport);
    },

    newContext(viewport = DESKTOP) {
      return ctx.browser.newContext({ viewport, bypassCSP: true, locale: 'id-ID', timezoneId: 'Asia/Jakarta', acceptDownloads: true });
    },

    /** An access token, for checking the server's side through the API. */
    async token(email, password = DEMO_PASSWORD) {
      const r = await fetch(`${ctx.server.baseUrl}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: email, password }),
      });
      assert.equal(r.status, 200, `API login of ${email}`);
      return (await r.json()).access_token;
    },

    /** An API call that must succeed; its JSON (or null for an empty answer). */
    async api(tok, method, path, body, type = 'application/json') {
      const r = await fetch(`${ctx.server.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${tok}`, ...(body !== undefined ? { 'content-type': type } : {}) },
        body: body === undefined ? undefined : type === 'application/json' ? JSON.stringify(body) : body,
      });
      const text = await r.text();
      assert.ok(r.ok, `${method} ${path}: ${r.status} ${text}`);
      return text ? JSON.parse(text) : null;
    },

    /**
     * Opens `path` as `who` at phone size (360 px): the page must fit the screen and pass the
     * accessibility check; photographed as `name`.
     */
    async phoneCheck(who, path, heading, name) {
      const page = await ctx.session(who, PHONE);
      await page.goto(`${ctx.server.baseUrl}${path}`);
      await page.getByRole('heading', { level: 1, name: heading }).waitFor();
      await page.waitForLoadState('networkidle');
      assert.ok((await overflow(page)) <= 0, `${path} is wider than the phone screen`);
      await checkA11y(page, `${path} (phone)`);
      await shot(page, name);
      return page;
    },

    /** A journey step; on failure every open page is kept as failure-<step>-N.png. */
    journey(name, fn) {
      return test(name, async () => {
        try {
          await fn();
        } catch (err) {
          const base = name.split(':')[0].replace(/\W+/g, '-');
          let i = 0;
          for (const { page } of sessions.values()) {
            await page.screenshot({ path: join(SHOTS, `failure-${base}-${i++}.png`), fullPage: true }).catch(() => {});
          }
          console.log(`e2e: failed step "${name}"; pages kept in ${SHOTS}/failure-${base}-*.png; server log ${ctx.server?.logPath}`);
          throw err;
        }
      });
    },
  };

  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ctx.server = await startServer({ demo, env: typeof env === 'function' ? env() : env });
    ctx.browser = await chromium.launch({ executablePath: exe, args: launchArgs });
    console.log(`e2e: ${demo ? 'demo ' : ''}server at ${ctx.server.baseUrl} on ${ctx.server.database}; screenshots in ${SHOTS}`);
  });
  after(async () => {
    await ctx.browser?.close();
    await ctx.server?.stop();
  });
  return ctx;
}
