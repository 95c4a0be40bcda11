// Lighthouse (mobile: a mid-range phone on a slow 4G link, as Lighthouse emulates by default) of
// the catalogue, a course page and a lesson page, signed in as a demo learner. Prints the
// performance, accessibility and best-practices scores and fails below the targets.
//
//   npm run lighthouse                       # starts `lentera serve --demo` itself (e2e harness)
//   LENTERA_BIN=../target/release/lentera npm run lighthouse   # measure a release build
//   LENTERA_URL=http://127.0.0.1:8080 npm run lighthouse       # a server already running with --demo
//   LIGHTHOUSE_REPORTS=/tmp npm run lighthouse                 # also keep each page's full report (JSON)
//
// The browser is the system Chromium (CHROME_PATH, default /usr/bin/chromium). The app must be
// built (`npm run build`): the server serves web/dist.
import { writeFileSync } from 'node:fs';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { chromium } from 'playwright-core';
import { DEMO, DEMO_PASSWORD, startServer } from '../e2e/harness.mjs';

const TARGETS = { performance: 90, accessibility: 100, 'best-practices': 95 };
const COURSE = 'keamanan-informasi-pdp';
const LESSON = 'konsep-dasar';
const chromePath = process.env.CHROME_PATH || '/usr/bin/chromium';

let server = null;
let base = process.env.LENTERA_URL;
if (!base) {
  server = await startServer({ demo: true });
  base = server.baseUrl;
}

const chrome = await chromeLauncher.launch({
  chromePath,
  chromeFlags: ['--headless=new', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update'],
});
const rows = [];
let failed = false;
try {
  // Sign in once in that browser (the refresh cookie stays; Lighthouse keeps storage), and enrol
  // in the course so its lessons open.
  const browser = await chromium.connectOverCDP(`http://127.0.0.1:${chrome.port}`);
  const context = browser.contexts()[0];
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel(/NIP atau email/).fill(DEMO.learner);
  await page.getByLabel(/^Kata sandi$/).fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: 'Masuk' }).click();
  await page.getByRole('heading', { level: 1, name: /^Selamat datang/ }).waitFor({ timeout: 30_000 });
  await page.evaluate(async (slug) => {
    const t = await fetch('/api/v1/auth/refresh', { method: 'POST' }).then((r) => r.json());
    await fetch(`/api/v1/courses/${slug}/enrol`, { method: 'POST', headers: { Authorization: `Bearer ${t.access_token}` } });
  }, COURSE);
  // Every page is measured in the same state: the service worker installed (it precaches the app
  // in the background after the first visit), as for any learner after their first visit.
  await page.goto(`${base}/courses`);
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
  });
  await page.waitForTimeout(1000);
  await page.close();
  await browser.close();

  const pages = [
    ['catalogue', `${base}/courses`],
    ['course', `${base}/courses/${COURSE}`],
    ['lesson', `${base}/courses/${COURSE}/lessons/${LESSON}`],
  ];
  for (const [name, url] of pages) {
    const result = await lighthouse(url, {
      port: chrome.port,
      output: 'json',
      logLevel: 'error',
      onlyCategories: Object.keys(TARGETS),
      disableStorageReset: true,
      formFactor: 'mobile',
    });
    const lhr = result.lhr;
    if (process.env.LIGHTHOUSE_REPORTS) writeFileSync(`${process.env.LIGHTHOUSE_REPORTS}/lighthouse-${name}.json`, JSON.stringify(lhr));
    const scores = Object.fromEntries(Object.keys(TARGETS).map((k) => [k, Math.round((lhr.categories[k]?.score ?? 0) * 100)]));
    const lcp = lhr.audits['largest-contentful-paint']?.displayValue ?? '';
    const tbt = lhr.audits['total-blocking-time']?.displayValue ?? '';
    rows.push({ name, url: new URL(lhr.finalDisplayedUrl).pathname, ...scores, lcp, tbt });
    for (const [k, min] of Object.entries(TARGETS)) {
      if (scores[k] < min) {
        failed = true;
        const bad = Object.values(lhr.audits)
          .filter((a) => a.score !== null && a.score < 1 && lhr.categories[k].auditRefs.some((r) => r.id === a.id && r.weight > 0))
          .map((a) => `${a.id} (${a.displayValue ?? a.score})`);
        console.error(`lighthouse: ${name} ${k} ${scores[k]} < ${min}: ${bad.join(', ')}`);
      }
    }
  }
} finally {
  await chrome.kill();
  await server?.stop();
}

console.log(`\nLighthouse (mobile emulation, ${server ? 'demo server started by this script' : base}):`);
console.log('  page       performance  accessibility  best-practices  LCP       TBT');
for (const r of rows) {
  console.log(
    `  ${r.name.padEnd(10)} ${String(r.performance).padStart(11)}  ${String(r.accessibility).padStart(13)}  ${String(r['best-practices']).padStart(14)}  ${r.lcp.padEnd(9)} ${r.tbt}   ${r.url}`,
  );
}
console.log(`  targets: performance ≥ ${TARGETS.performance}, accessibility ${TARGETS.accessibility}, best practices ≥ ${TARGETS['best-practices']}\n`);
if (failed) process.exitCode = 1;
