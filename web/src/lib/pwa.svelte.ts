// Registers the service worker (production builds only) and tells the app when a new version
// is ready; it takes over only when the user chooses to reload.
export const pwa = $state({ updateReady: false });

let waiting: ServiceWorker | null = null;

export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  const start = async () => {
    try {
      const reg = await navigator.serviceWorker.register('/sw.js', { scope: '/' });
      const offer = (sw: ServiceWorker | null) => {
        if (sw && navigator.serviceWorker.controller) {
          waiting = sw;
          pwa.updateReady = true;
        }
      };
      offer(reg.waiting);
      reg.addEventListener('updatefound', () => {
        const sw = reg.installing;
        sw?.addEventListener('statechange', () => {
          if (sw.state === 'installed') offer(sw);
        });
      });
      // Look for a new version now and then while the app stays open.
      setInterval(() => void reg.update().catch(() => {}), 60 * 60 * 1000);
    } catch {
      /* no service worker: the app still works online */
    }
  };
  if (document.readyState === 'complete') void start();
  else addEventListener('load', () => void start(), { once: true });
}

export function applyUpdate(): void {
  if (!waiting) return location.reload();
  navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
  waiting.postMessage({ type: 'SKIP_WAITING' });
}
