// A small history-API router: path patterns with `:params`, the query string as
// URLSearchParams, and internal <a href> clicks turned into navigations.
import type { Component } from 'svelte';
import type { MessageKey } from '../i18n/translate';
import type { Role } from './roles';

export interface RouteDef {
  /** Pattern such as `/users/:id`. */
  path: string;
  /** Lazy page module (one chunk per page keeps the first load small). */
  load: () => Promise<{ default: Component<any> }>;
  /** Catalogue key of the page title (document.title). */
  title: MessageKey;
  /** Reachable without logging in (only the login page for now). */
  public?: boolean;
  /** Roles that may open it; absent: any logged-in user. */
  roles?: readonly Role[];
}

export interface Match {
  route: RouteDef;
  params: Record<string, string>;
}

interface Compiled {
  route: RouteDef;
  regex: RegExp;
  keys: string[];
}

export function compile(route: RouteDef): Compiled {
  const keys: string[] = [];
  const pattern = route.path
    .split('/')
    .map((seg) => {
      if (seg.startsWith(':')) {
        keys.push(seg.slice(1));
        return '([^/]+)';
      }
      return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, keys, regex: new RegExp(`^${pattern}/?$`) };
}

export function matchPath(table: Compiled[], pathname: string): Match | null {
  for (const c of table) {
    const m = c.regex.exec(pathname);
    if (m) {
      const params: Record<string, string> = {};
      c.keys.forEach((k, i) => {
        params[k] = decodeURIComponent(m[i + 1]);
      });
      return { route: c.route, params };
    }
  }
  return null;
}

interface Location {
  pathname: string;
  search: string;
  query: URLSearchParams;
}

function read(): Location {
  const l = globalThis.location;
  return { pathname: l?.pathname ?? '/', search: l?.search ?? '', query: new URLSearchParams(l?.search ?? '') };
}

export const router = $state<{ location: Location }>({ location: read() });

let beforeNavigate: ((to: string) => boolean) | null = null;

/** Lets a page with unsaved input ask before leaving (return false to stay). */
export function setNavigationGuard(guard: ((to: string) => boolean) | null): void {
  beforeNavigate = guard;
}

export function navigate(to: string, opts: { replace?: boolean } = {}): void {
  if (beforeNavigate && !beforeNavigate(to)) return;
  const url = new URL(to, globalThis.location.href);
  const target = url.pathname + url.search + url.hash;
  if (opts.replace) history.replaceState(null, '', target);
  else history.pushState(null, '', target);
  router.location = read();
  if (!url.hash) globalThis.scrollTo?.(0, 0);
}

/** Updates the query string of the current page (filters, paging) without a new history entry. */
export function setQuery(params: Record<string, string | number | boolean | null | undefined>, opts: { push?: boolean } = {}): void {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== null && v !== undefined && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  const target = router.location.pathname + (s ? `?${s}` : '');
  if (opts.push) history.pushState(null, '', target);
  else history.replaceState(null, '', target);
  router.location = read();
}

/** Starts listening to back/forward and to clicks on internal links. Returns a stop function. */
export function startRouter(): () => void {
  const onPop = () => {
    router.location = read();
  };
  const onClick = (e: MouseEvent) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || !(a instanceof HTMLAnchorElement)) return;
    if (a.target && a.target !== '_self') return;
    if (a.hasAttribute('download') || a.getAttribute('rel')?.includes('external')) return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || url.pathname.startsWith('/api/')) return;
    e.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  };
  addEventListener('popstate', onPop);
  document.addEventListener('click', onClick);
  return () => {
    removeEventListener('popstate', onPop);
    document.removeEventListener('click', onClick);
  };
}
