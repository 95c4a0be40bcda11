// External training and JP: what a form's conversion rule asks for, the amount the API takes,
// the year's breakdown (counted, waiting for hr, rejected). Pure functions, tested in tests/jp.test.ts.
import type { components } from '../api/schema';
import type { JpReport } from '../api/views';

/** `lentera_progress::ConversionRule` as `GET /jp/forms` sends it (tagged by `rule`). */
export type ConversionRule = components['schemas']['ConversionRule'];

/** `lentera_progress::Amount` (tagged by `unit`). */
export type Amount = components['schemas']['Amount'];

export type Unit = Amount['unit'];

/** What the learner types for an amount; only the fields the unit needs are read. */
export interface AmountInput {
  jp?: string;
  days?: string;
  hours?: string;
  minutes?: string;
  sessions?: string;
  months?: string;
  activities?: string;
}

/** The unit a rule counts in. Unknown rules (a newer server) fall back to stated JP. */
export function unitOf(rule: { rule?: string } | null | undefined): Unit {
  switch (rule?.rule) {
    case 'per_day':
      return 'days';
    case 'actual_time_capped_per_day':
      return 'time';
    case 'per_activity':
      return 'activities';
    case 'per_session':
      return 'sessions';
    default:
      return 'stated_jp';
  }
}

/** Calendar days from `start` to `end` (both `YYYY-MM-DD`), both included; null if not a range. */
export function daysInclusive(start: string, end: string): number | null {
  const a = Date.parse(`${start}T00:00:00Z`);
  const b = Date.parse(`${end}T00:00:00Z`);
  if (Number.isNaN(a) || Number.isNaN(b) || b < a) return null;
  return Math.round((b - a) / 86_400_000) + 1;
}

function whole(v: string | undefined): number | null {
  const s = (v ?? '').trim();
  if (!/^\d+$/.test(s)) return null;
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : null;
}

/** A decimal with a dot or an Indonesian comma ("7,5"), at most two places (the API's hundredths). */
export function parseDecimal(v: string | undefined): number | null {
  const s = (v ?? '').trim().replace(',', '.');
  if (!/^\d+(\.\d{1,2})?$/.test(s)) return null;
  return Number(s);
}

/**
 * The amount to send for a unit from what was typed, or null while something it needs is missing
 * or not a number. Days default to the dates' span; time is hours and minutes.
 */
export function buildAmount(unit: Unit, input: AmountInput, span: number | null): Amount | null {
  switch (unit) {
    case 'stated_jp': {
      const jp = parseDecimal(input.jp);
      return jp !== null && jp > 0 ? { unit, jp } : null;
    }
    case 'days': {
      const days = input.days?.trim() ? whole(input.days) : span;
      return days ? { unit, days } : null;
    }
    case 'time': {
      const h = input.hours?.trim() ? whole(input.hours) : 0;
      const m = input.minutes?.trim() ? whole(input.minutes) : 0;
      const days = input.days?.trim() ? whole(input.days) : span;
      if (h === null || m === null || !days) return null;
      const minutes = h * 60 + m;
      return minutes > 0 ? { unit, minutes, days } : null;
    }
    case 'sessions': {
      const sessions = whole(input.sessions);
      const months = input.months?.trim() ? whole(input.months) : 1;
      return sessions && months ? { unit, sessions, months } : null;
    }
    case 'activities': {
      const activities = input.activities?.trim() ? whole(input.activities) : 1;
      return activities ? { unit, activities } : null;
    }
  }
}

/** The JP totals of a year by state: counted, waiting for hr's approval, rejected. */
export interface JpBreakdown {
  counted: number;
  pending: number;
  rejected: number;
  pendingCount: number;
  rejectedCount: number;
}

const round2 = (n: number) => Math.round(n * 100) / 100;

export function breakdown(report: Pick<JpReport, 'lines'>): JpBreakdown {
  const out: JpBreakdown = { counted: 0, pending: 0, rejected: 0, pendingCount: 0, rejectedCount: 0 };
  for (const l of report.lines) {
    if (l.counted) out.counted += l.jp;
    else if (l.excluded_because === 'pending_approval' || l.approval === 'pending') {
      out.pending += l.jp;
      out.pendingCount++;
    } else if (l.excluded_because === 'rejected' || l.approval === 'rejected') {
      out.rejected += l.jp;
      out.rejectedCount++;
    }
  }
  out.counted = round2(out.counted);
  out.pending = round2(out.pending);
  out.rejected = round2(out.rejected);
  return out;
}

/** An amount as the API stored it, in words: "2 hari", "3 jam 30 menit dalam 2 hari", … */
export function describeAmount(amount: unknown, words: (unit: Unit, n: Record<string, number>) => string): string {
  const a = amount as Partial<Amount> & Record<string, number>;
  if (!a || typeof a !== 'object' || typeof a.unit !== 'string') return '';
  return words(a.unit as Unit, a);
}

/** The form field an external training or certification problem is about. */
export function recordFieldOf(code: string): string | null {
  switch (code) {
    case 'invalid_title':
      return 'title';
    case 'invalid_provider':
      return 'provider';
    case 'invalid_dates':
      return 'end_date';
    case 'wrong_amount_unit':
    case 'invalid_jp':
      return 'amount';
    case 'invalid_certificate_number':
    case 'invalid_number':
      return 'number';
    case 'invalid_name':
      return 'name';
    case 'invalid_issuer':
      return 'issuer';
    case 'unknown_proof':
    case 'unsupported_proof_type':
    case 'payload_too_large':
      return 'proof';
    default:
      return null;
  }
}

/** Today in Asia/Jakarta as `YYYY-MM-DD` (the server's "not in the future" is in that zone). */
export function jakartaToday(now = new Date()): string {
  return new Intl.DateTimeFormat('en-CA', { timeZone: 'Asia/Jakarta', year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

/** "Seminar (SIASN 9)" in the language, from the list; the server's name (Indonesian) otherwise. */
export function formLabel(forms: { id: string; siasn_id: number; name_id: string; name_en: string }[], form: string, fallback: string | null | undefined, siasnId: number | null | undefined, lang: 'id' | 'en'): string {
  const f = forms.find((x) => x.id === form);
  const name = f ? (lang === 'en' ? f.name_en : f.name_id) : (fallback ?? form);
  const id = f?.siasn_id ?? siasnId;
  return id ? `${name} (SIASN ${id})` : name;
}
