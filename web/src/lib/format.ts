// Display helpers for domain values.
import { formatNumber, t } from '../i18n/locale.svelte';
import type { MessageKey } from '../i18n/translate';

/** A NIP in its groups: birth date, TMT, sex digit, sequence (`19860926 201505 1 001`). */
export function formatNip(nip: string | null | undefined): string {
  if (!nip) return '';
  const d = nip.replace(/\s+/g, '');
  if (!/^\d{18}$/.test(d)) return nip;
  return `${d.slice(0, 8)} ${d.slice(8, 14)} ${d.slice(14, 15)} ${d.slice(15)}`;
}

/** A NIP for places others may see: first 4 and last 4 digits only. */
export function maskNip(nip: string | null | undefined): string {
  if (!nip) return '';
  const d = nip.replace(/\s+/g, '');
  if (d.length <= 8) return '*'.repeat(d.length);
  return d.slice(0, 4) + '*'.repeat(d.length - 8) + d.slice(-4);
}

/** "5 JP" (decimal comma in Indonesian). */
export function formatJp(jp: number): string {
  return t('course.jp', { jp: formatNumber(Math.round(jp * 100) / 100) });
}

/** "3 jam 45 menit", "20 menit". */
export function formatMinutes(minutes: number | null | undefined): string {
  const m = Math.max(0, Math.round(minutes ?? 0));
  const h = Math.floor(m / 60);
  const rest = m % 60;
  if (h === 0) return t('time.minutes', { m: rest });
  if (rest === 0) return t('time.hours', { h });
  return t('time.hoursMinutes', { h, m: rest });
}

/** Catalogue key of a course level (`dasar`, `menengah`, `lanjut`). */
export function levelKey(level: string): MessageKey {
  return level === 'menengah' ? 'level.menengah' : level === 'lanjut' ? 'level.lanjut' : level === 'dasar' ? 'level.dasar' : 'level.other';
}

/** File sizes: "12 KB", "1,4 MB". */
export function formatBytes(n: number): string {
  if (n < 1024) return `${formatNumber(n)} B`;
  if (n < 1024 * 1024) return `${formatNumber(Math.round(n / 102.4) / 10)} KB`;
  return `${formatNumber(Math.round(n / (1024 * 102.4)) / 10)} MB`;
}
