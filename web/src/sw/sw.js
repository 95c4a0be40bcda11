/* Lentera service worker: keeps the app shell so the app opens offline after the first visit.
 *
 * Written out by the `lentera-sw` plugin in vite.config.ts at build time, which fills in VERSION
 * (a hash of the built files, so every build that changes a file is a new service worker) and
 * PRECACHE (the list of built files).
 *
 * - App shell (index.html, hashed assets, manifest, icons): precached on install, served
 *   cache-first. Navigations to app routes get the cached index.html (client-side routing).
 * - /api/v1/assets/<sha256> (lesson images, attachments): answered from the `lentera-assets`
 *   cache that "Unduh untuk luring" fills, else the network. The files are immutable (addressed
 *   by their content), so a cached copy is never stale.
 * - Any other /api/…: never touched here: always the network (the outbox keeps offline writes,
 *   IndexedDB keeps downloaded lessons).
 * - A new version waits until the page asks it to take over ({type: 'SKIP_WAITING'}), so an
 *   open page never loses the lazy chunks it was built with.
 */
const VERSION = '__LENTERA_VERSION__';
const PRECACHE = self.__LENTERA_PRECACHE__;
const CACHE = `lentera-shell-${VERSION}`;
const SHELL = '/index.html';
const ASSETS = 'lentera-assets';
const ASSET_PATH = /^\/api\/v1\/assets\/[0-9a-f]{64}$/;

self.addEventListener('install', (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(PRECACHE.map((path) => new Request(path, { cache: 'reload' })))),
  );
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      const keys = await caches.keys();
      await Promise.all(keys.filter((k) => k.startsWith('lentera-shell-') && k !== CACHE).map((k) => caches.delete(k)));
      await self.clients.claim();
    })(),
  );
});

self.addEventListener('message', (event) => {
  if (event.data && event.data.type === 'SKIP_WAITING') self.skipWaiting();
});

function isApi(url) {
  return url.pathname === '/api' || url.pathname.startsWith('/api/') || url.pathname === '/readyz' || url.pathname === '/healthz' || url.pathname === '/metrics';
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin === self.location.origin && ASSET_PATH.test(url.pathname)) {
    event.respondWith(
      (async () => {
        const cache = await caches.open(ASSETS);
        const hit = await cache.match(url.pathname);
        if (hit) return hit;
        return fetch(request);
      })(),
    );
    return;
  }
  if (url.origin !== self.location.origin || isApi(url)) return;

  if (request.mode === 'navigate') {
    event.respondWith(
      (async () => {
        const cache = await caches.open(CACHE);
        const shell = await cache.match(SHELL);
        if (shell) return shell;
        return fetch(request);
      })(),
    );
    return;
  }

  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const hit = await cache.match(request, { ignoreSearch: true });
      if (hit) return hit;
      const response = await fetch(request);
      // Hashed assets never change: keep any the precache missed.
      if (response.ok && url.pathname.startsWith('/assets/')) cache.put(request, response.clone());
      return response;
    })(),
  );
});
