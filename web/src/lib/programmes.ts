// Programmes for hr: cohort dates typed as days in Asia/Jakarta and sent as the API's naive UTC
// times; assignment rules in words. Pure, tested in tests/programmes.test.ts.

/** Jakarta has no daylight saving: always UTC+7. */
const JAKARTA_OFFSET_H = 7;

function naiveUtc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19);
}

/** 00:00 of a Jakarta day (`YYYY-MM-DD`) as naive UTC, or null for a non-date. */
export function jakartaDayStart(day: string): string | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) return null;
  const ms = Date.parse(`${day}T00:00:00Z`);
  return Number.isNaN(ms) ? null : naiveUtc(ms - JAKARTA_OFFSET_H * 3_600_000);
}

/** 23:59:59 of a Jakarta day as naive UTC, or null for a non-date. */
export function jakartaDayEnd(day: string): string | null {
  const start = jakartaDayStart(day);
  return start ? naiveUtc(Date.parse(`${start}Z`) + 86_400_000 - 1000) : null;
}

/** The rule kinds the cohort page offers, as `POST /cohorts/{id}/assignments` names them. */
export type RuleKind = 'opd' | 'position' | 'employment_type' | 'nips';

/** The body of an assignment for everything but NIP lists (those go as text to `/assignments/nips`). */
export function assignmentBody(kind: Exclude<RuleKind, 'nips'>, value: string): Record<string, string> | null {
  const v = value.trim();
  if (!v) return null;
  switch (kind) {
    case 'opd':
      return { kind, opd_id: v };
    case 'position':
      return { kind, position: v };
    case 'employment_type':
      return v === 'PNS' || v === 'PPPK' ? { kind, employment_type: v } : null;
  }
}

/** How many non-empty lines a pasted list has (what the page says it will send). */
export function countLines(text: string): number {
  return text.split(/\r?\n/).filter((l) => l.trim()).length;
}
