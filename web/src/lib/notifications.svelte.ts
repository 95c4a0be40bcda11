// The unread notification count for the header's bell: asked of the server when the app starts,
// on every page change (at most every 20 s), every 2 minutes, and when the notifications page
// changes something. Nothing is asked offline or signed out.
import { call } from '../api/http';

export const notifications = $state<{ unread: number }>({ unread: 0 });

const MIN_GAP_MS = 20_000;
let last = 0;
let running: Promise<void> | null = null;

/** Asks the server for the unread count; `force` skips the rate limit. */
export function refreshUnread(force = false): Promise<void> {
  if (running) return running;
  if (!force && Date.now() - last < MIN_GAP_MS) return Promise.resolve();
  last = Date.now();
  running = (async () => {
    const { api, session } = await import('./session.svelte');
    if (session.status !== 'authed' || session.offline) return;
    try {
      const page = await call(api.GET('/api/v1/me/notifications', { params: { query: { per_page: 1 } } }));
      notifications.unread = page.unread;
    } catch {
      /* the badge keeps its last value */
    }
  })().finally(() => (running = null));
  return running;
}

/** Sets the count from an answer the caller already has (the notifications page). */
export function setUnread(n: number): void {
  notifications.unread = Math.max(0, n);
  last = Date.now();
}
