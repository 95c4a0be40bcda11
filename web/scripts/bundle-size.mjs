// Prints the size of the build, raw and gzip-compressed, and the first load of the dashboard
// (the entry chunk and its CSS, plus the dashboard's chunk, its imports and CSS, as Vite's build
// manifest lists them). Fails the build when that first load passes the budget.
import { readFileSync, readdirSync, rmSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

const BUDGET = 150 * 1024; // compressed JS+CSS of the first load of the dashboard
const dist = new URL('../dist/', import.meta.url);
const manifestUrl = new URL('.vite/manifest.json', dist);
const manifest = JSON.parse(readFileSync(manifestUrl, 'utf8'));
rmSync(new URL('.vite/', dist), { recursive: true, force: true });

const gz = (file) => gzipSync(readFileSync(new URL(file, dist)), { level: 9 }).length;
const raw = (file) => readFileSync(new URL(file, dist)).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const rows = readdirSync(new URL('assets/', dist))
  .filter((f) => /\.(js|css)$/.test(f))
  .map((f) => ({ file: `assets/${f}`, raw: raw(`assets/${f}`), gzip: gz(`assets/${f}`) }))
  .sort((a, b) => b.gzip - a.gzip);

/** A chunk with everything it statically imports, and their CSS. */
function closure(key, into = new Set()) {
  const chunk = manifest[key];
  if (!chunk || into.has(chunk.file)) return into;
  into.add(chunk.file);
  for (const css of chunk.css ?? []) into.add(css);
  for (const dep of chunk.imports ?? []) closure(dep, into);
  return into;
}

const first = closure('index.html');
const dashboard = Object.keys(manifest).find((k) => k.endsWith('pages/Dashboard.svelte'));
if (!dashboard) throw new Error('bundle-size: no Dashboard chunk in the manifest');
closure(dashboard, first);

console.log('\nbundle (raw / gzip):');
for (const r of rows) console.log(`  ${r.file.padEnd(44)} ${kb(r.raw).padStart(10)} ${kb(r.gzip).padStart(10)}`);
const sum = (k) => rows.reduce((s, r) => s + r[k], 0);
console.log(`  ${'all JS+CSS'.padEnd(44)} ${kb(sum('raw')).padStart(10)} ${kb(sum('gzip')).padStart(10)}`);
const firstLoad = [...first].reduce((s, f) => s + gz(f), 0);
console.log(`\nfirst load of the dashboard, JS+CSS (gzip): ${kb(firstLoad)} (budget ${kb(BUDGET)})`);
for (const f of first) console.log(`  ${f}`);
console.log('');
if (firstLoad > BUDGET) {
  console.error('bundle-size: the first load of the dashboard is over budget');
  process.exit(1);
}
