// Admin pages: notification templates and the e-mail outbox. Pure; tested in tests/admin.test.ts.
import type { ProblemItem } from '../api/problem';
import type { components } from '../api/schema';

export type TemplatePart = 'subject' | 'text' | 'html';

/** `GET /admin/notification-templates` (`TemplateView`). */
export type TemplateView = components['schemas']['TemplateView'];

/** Names every template may use, whatever its kind. */
export const COMMON_NAMES = ['name', 'url', 'settings_url', 'language'];

/** The names a template may use: the common ones and its kind's sample parameters. */
export function templateNames(sample: Record<string, unknown> | null | undefined): string[] {
  return [...COMMON_NAMES, ...Object.keys(sample ?? {}).filter((k) => !COMMON_NAMES.includes(k)).sort()];
}

/**
 * `template_invalid` problems (`{part, line, message}`) by the field they belong to, each as
 * "line N: message" (or the message alone).
 */
export function templateErrors(items: ProblemItem[], lineWord: (line: number) => string): Partial<Record<TemplatePart, string>> {
  const out: Partial<Record<TemplatePart, string>> = {};
  for (const i of items) {
    const part = i.part === 'subject' || i.part === 'text' || i.part === 'html' ? i.part : 'text';
    const line = typeof i.line === 'number' ? `${lineWord(i.line)}: ` : '';
    const text = `${line}${i.message ?? i.code}`;
    out[part] = out[part] ? `${out[part]}; ${text}` : text;
  }
  return out;
}

/** Templates grouped by kind, in the server's order, each kind's languages Indonesian first. */
export function byKind(list: TemplateView[]): { kind: string; essential: boolean; items: TemplateView[] }[] {
  const groups: { kind: string; essential: boolean; items: TemplateView[] }[] = [];
  for (const t of list) {
    let g = groups.find((x) => x.kind === t.kind);
    if (!g) groups.push((g = { kind: t.kind, essential: t.essential, items: [] }));
    g.items.push(t);
  }
  for (const g of groups) g.items.sort((a, b) => (a.language === 'id' ? -1 : b.language === 'id' ? 1 : a.language.localeCompare(b.language)));
  return groups;
}

export const OUTBOX_STATUSES = ['pending', 'sent', 'failed', 'skipped'] as const;
export type OutboxStatus = (typeof OUTBOX_STATUSES)[number];

/** An e-mail address for a table: the local part shortened, the domain kept. */
export function shortAddress(address: string, max = 32): string {
  if (address.length <= max) return address;
  const at = address.lastIndexOf('@');
  if (at < 0) return `${address.slice(0, max - 1)}…`;
  const domain = address.slice(at);
  const keep = Math.max(1, max - domain.length - 1);
  return `${address.slice(0, keep)}…${domain}`;
}
