/// <reference types="vitest/config" />
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

/** Every file under `dir`, relative, with forward slashes. */
function walk(dir: string, root = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = join(dir, name);
    return statSync(full).isDirectory() ? walk(full, root) : [relative(root, full).split(sep).join('/')];
  });
}

/**
 * Writes dist/sw.js from src/sw/sw.js once the bundle is on disk: the precache list is every
 * built file (the whole app is small), the version a hash of their contents.
 */
function serviceWorker(): Plugin {
  let outDir = 'dist';
  return {
    name: 'lentera-sw',
    apply: 'build',
    configResolved(config) {
      outDir = join(config.root, config.build.outDir);
    },
    writeBundle() {
      const files = walk(outDir)
        .filter((f) => f !== 'sw.js' && !f.endsWith('.map') && !f.startsWith('.vite/'))
        .sort();
      const hash = createHash('sha256');
      for (const f of files) hash.update(f).update(readFileSync(join(outDir, f)));
      const version = hash.digest('hex').slice(0, 16);
      const precache = files.map((f) => (f === 'index.html' ? '/index.html' : `/${f}`));
      const source = readFileSync(new URL('./src/sw/sw.js', import.meta.url), 'utf8')
        .replace("const VERSION = '__LENTERA_VERSION__';", `const VERSION = '${version}';`)
        .replace('const PRECACHE = self.__LENTERA_PRECACHE__;', `const PRECACHE = ${JSON.stringify(precache)};`);
      if (source.includes('__LENTERA_')) throw new Error('lentera-sw: a placeholder in src/sw/sw.js was not filled');
      writeFileSync(join(outDir, 'sw.js'), source);
    },
  };
}

export default defineConfig({
  plugins: [svelte(), serviceWorker()],
  build: {
    target: 'es2022',
    sourcemap: false,
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    // Read by scripts/bundle-size.mjs (which then removes it from dist).
    manifest: true,
  },
  server: {
    // `npm run dev` talks to a running `lentera serve` (default 127.0.0.1:8080).
    proxy: {
      '/api': { target: process.env.LENTERA_URL ?? 'http://127.0.0.1:8080', changeOrigin: false },
      '/readyz': { target: process.env.LENTERA_URL ?? 'http://127.0.0.1:8080' },
    },
  },
  test: {
    include: ['tests/**/*.test.ts'],
    environment: 'node',
  },
});
