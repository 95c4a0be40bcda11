// Programmes for hr: cohort dates typed as days in Asia/Jakarta and sent as the API's naive UTC
// times; assignment rules in words. Pure, tested in tests/programmes.test.ts.
import type { AssignRequest } from '../api/views';

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
export function assignmentBody(kind: Exclude<RuleKind, 'nips'>, value: string): AssignRequest | null {
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

/** A course of a programme as its edit form holds it. */
export interface ProgrammeCourseLine {
  course_id: string;
  title: string;
  jp: number;
  required: boolean;
}

/**
 * The `PATCH /programmes/{id}` body that replaces a programme's courses, or the message key of
 * what is wrong: no course, or more electives needed than there are.
 */
export function programmeCoursesBody(
  lines: ProgrammeCourseLine[],
  electivesNeeded: number,
): { body: { courses: { course: string; required: boolean }[]; electives_needed: number } } | { error: string } {
  if (lines.length === 0) return { error: 'hrProgramme.coursesRequired' };
  const electives = lines.filter((l) => !l.required).length;
  if (!Number.isInteger(electivesNeeded) || electivesNeeded < 0 || electivesNeeded > electives) return { error: 'problem.electives_needed_too_many' };
  return { body: { courses: lines.map((l) => ({ course: l.course_id, required: l.required })), electives_needed: electivesNeeded } };
}

/** The JP a programme gets by default: its required courses and the cheapest electives needed. */
export function defaultProgrammeJp(lines: ProgrammeCourseLine[], electivesNeeded: number): number {
  const required = lines.filter((l) => l.required).reduce((s, l) => s + l.jp, 0);
  const electives = lines
    .filter((l) => !l.required)
    .map((l) => l.jp)
    .sort((a, b) => a - b)
    .slice(0, Math.max(0, electivesNeeded))
    .reduce((s, j) => s + j, 0);
  return Math.round((required + electives) * 100) / 100;
}

/** A person picked in the user picker. */
export interface Picked {
  id: string;
  name: string;
  nip: string | null;
  opd: string | null;
}

/** People picked one by one (a cohort's learners, a mentor's mentees): unique, in picking order. */
export function togglePick<T extends { id: string }>(picked: T[], person: T): T[] {
  return picked.some((p) => p.id === person.id) ? picked.filter((p) => p.id !== person.id) : [...picked, person];
}
