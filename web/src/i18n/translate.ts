// Pure translation functions (no reactivity): the catalogues, parameter filling, problem codes
// turned into sentences, dates in Asia/Jakarta. `locale.svelte.ts` adds the reactive locale.
import type { ApiProblem, ProblemItem } from '../api/problem';
import { id, type MessageKey, type Messages } from './id';

export type Locale = 'id' | 'en';
export const LOCALES: readonly Locale[] = ['id', 'en'];
export const DEFAULT_LOCALE: Locale = 'id';
export const TIME_ZONE = 'Asia/Jakarta';

/** The loaded catalogues. Indonesian is in the main bundle; English is its own chunk, fetched
 *  only when someone chooses it (a third of the first load's JavaScript otherwise). */
export const catalogues: Partial<Record<Locale, Messages>> = { id };

export async function loadCatalogue(l: Locale): Promise<void> {
  if (catalogues[l]) return;
  if (l === 'en') catalogues.en = (await import('./en')).en;
}

export type { MessageKey };
export type Params = Record<string, string | number>;

export function isLocale(v: unknown): v is Locale {
  return v === 'id' || v === 'en';
}

/** `{name}` placeholders filled from params; unknown placeholders stay visible. */
export function fill(template: string, params?: Params): string {
  if (!params) return template;
  return template.replace(/\{(\w+)\}/g, (m, k: string) => (k in params ? String(params[k]) : m));
}

export function translate(locale: Locale, key: MessageKey, params?: Params): string {
  return fill(catalogues[locale]?.[key] ?? id[key] ?? key, params);
}

export function hasKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(id, key);
}

/**
 * The catalogue code of a problem code. The API prefixes NIP errors of a request field with
 * `invalid_` (`invalid_nip_length`, or `invalid_nip_nip_length`), while CSV rows carry the bare
 * code (`nip_length`); both read the same.
 */
export function normaliseCode(code: string): string {
  if (code.startsWith('invalid_nip_nip_')) return code.slice('invalid_nip_'.length);
  if (code.startsWith('invalid_nip_')) return code.slice('invalid_'.length);
  return code;
}

/** A problem as a sentence in the locale: the catalogue's, else the server's detail. */
export function problemMessage(locale: Locale, problem: Pick<ApiProblem, 'code' | 'detail' | 'status' | 'retryAfter'>): string {
  const key = `problem.${normaliseCode(problem.code)}`;
  if (hasKey(key)) return translate(locale, key, { seconds: problem.retryAfter ?? 60 });
  if (problem.detail) return problem.detail;
  if (problem.status >= 500) return translate(locale, 'problem.server_error');
  return translate(locale, 'problem.unknown', { status: problem.status });
}

/** One itemised problem (CSV row, field) as a sentence: the catalogue's, else its message. */
export function itemMessage(locale: Locale, item: ProblemItem): string {
  const key = `problem.${normaliseCode(item.code)}`;
  if (hasKey(key)) return translate(locale, key, { seconds: 60 });
  return item.message ?? item.code;
}

/** The form field a problem code is about (`nip`, `email`, …), if any. */
export function fieldOf(code: string): string | null {
  const c = normaliseCode(code);
  if (c.startsWith('nip_') || c === 'invalid_nip' || c === 'duplicate_nip') return 'nip';
  if (c === 'invalid_email' || c === 'duplicate_email') return 'email';
  if (c === 'invalid_name') return 'name';
  if (c === 'invalid_employment_type') return 'employment_type';
  if (c.startsWith('password_')) return 'password';
  if (c === 'wrong_password') return 'current_password';
  if (c === 'duplicate_name') return 'name';
  if (c === 'duplicate_code') return 'code';
  return null;
}

const INTL_LOCALE: Record<Locale, string> = { id: 'id-ID', en: 'en-GB' };

/**
 * The API's timestamps: RFC 3339, or a naive `YYYY-MM-DDTHH:MM:SS` that the server writes in UTC.
 */
export function parseTimestamp(value: string): Date {
  const naive = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(value);
  return new Date(naive ? `${value}Z` : value);
}

export function formatDateTime(locale: Locale, value: string | Date): string {
  const d = typeof value === 'string' ? parseTimestamp(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], {
    timeZone: TIME_ZONE,
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
  })
    .format(d)
    .replace('GMT+7', 'WIB');
}

export function formatDate(locale: Locale, value: string | Date): string {
  const d = typeof value === 'string' ? parseTimestamp(value) : value;
  if (Number.isNaN(d.getTime())) return String(value);
  return new Intl.DateTimeFormat(INTL_LOCALE[locale], { timeZone: TIME_ZONE, day: 'numeric', month: 'long', year: 'numeric' }).format(d);
}

export function formatNumber(locale: Locale, n: number): string {
  return new Intl.NumberFormat(INTL_LOCALE[locale]).format(n);
}
