// The reactive locale. Components call t(...) in their markup and re-render when it changes.
// Only the language is remembered in localStorage (so the login page speaks it too).
import type { ApiProblem, ProblemItem } from '../api/problem';
import {
  DEFAULT_LOCALE,
  formatDate as fmtDate,
  formatDateTime as fmtDateTime,
  formatNumber as fmtNumber,
  isLocale,
  itemMessage,
  loadCatalogue,
  problemMessage,
  translate,
  type Locale,
  type MessageKey,
  type Params,
} from './translate';

const STORAGE_KEY = 'lentera.language';

function stored(): Locale {
  try {
    const v = globalThis.localStorage?.getItem(STORAGE_KEY);
    return isLocale(v) ? v : DEFAULT_LOCALE;
  } catch {
    return DEFAULT_LOCALE;
  }
}

let current = $state<Locale>(DEFAULT_LOCALE);

export function locale(): Locale {
  return current;
}

/** Before the first render: the remembered language, its catalogue loaded. */
export async function initLocale(): Promise<void> {
  const l = stored();
  if (l === DEFAULT_LOCALE) {
    if (typeof document !== 'undefined') document.documentElement.lang = l;
    return;
  }
  await setLocale(l);
}

/** Switches the language once its catalogue is loaded (if it cannot be fetched, offline and not
 *  cached, the current language stays). */
export async function setLocale(l: Locale): Promise<void> {
  try {
    await loadCatalogue(l);
  } catch {
    return;
  }
  current = l;
  try {
    globalThis.localStorage?.setItem(STORAGE_KEY, l);
  } catch {
    /* private mode: the choice lasts this visit */
  }
  if (typeof document !== 'undefined') document.documentElement.lang = l;
}

export function t(key: MessageKey, params?: Params): string {
  return translate(current, key, params);
}

export function problemText(p: Pick<ApiProblem, 'code' | 'detail' | 'status' | 'retryAfter'>): string {
  return problemMessage(current, p);
}

export function itemText(item: ProblemItem): string {
  return itemMessage(current, item);
}

export const formatDateTime = (v: string | Date) => fmtDateTime(current, v);
export const formatDate = (v: string | Date) => fmtDate(current, v);
export const formatNumber = (n: number) => fmtNumber(current, n);
