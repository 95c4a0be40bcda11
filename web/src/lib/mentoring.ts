// A mentor's view of their mentees. The report endpoints scope a mentor to their mentees and
// themself (crates/api/src/routes/reports.rs `report_scope`); this takes the mentor out again, so
// the page speaks of mentees only. Pure; tested in tests/mentoring.test.ts.
import type { CompletionRow, JpCompliance, LearnerJp } from '../api/views';

export interface Me {
  id: string;
  name: string;
  nip?: string | null;
}

/** JP compliance of the mentees alone: their number, how many meet the target, who is below. */
export function menteesCompliance(report: JpCompliance, me: Me): { mentees: number; atOrAbove: number; below: LearnerJp[] } {
  const below = report.below.filter((l) => l.user_id !== me.id);
  // The mentor counts among the report's learners only with a NIP (like every ASN).
  const selfCounted = !!me.nip;
  const selfBelow = below.length !== report.below.length;
  return {
    mentees: Math.max(0, report.learners - (selfCounted ? 1 : 0)),
    atOrAbove: Math.max(0, report.at_or_above - (selfCounted && !selfBelow ? 1 : 0)),
    below,
  };
}

/** The completion rows of mentees (the mentor's own enrolments left out; NIPs are unique). */
export function menteeRows(rows: CompletionRow[], me: Me): CompletionRow[] {
  return rows.filter((r) => (me.nip && r.nip ? r.nip !== me.nip : r.name !== me.name));
}

/** Per mentee: courses enrolled, completed, and the newest completion, by name. */
export function perMentee(rows: CompletionRow[]): { name: string; nip: string | null; opd: string | null; enrolled: number; completed: number }[] {
  const by = new Map<string, { name: string; nip: string | null; opd: string | null; enrolled: number; completed: number }>();
  for (const r of rows) {
    const key = r.nip ?? r.name;
    const m = by.get(key) ?? { name: r.name, nip: r.nip, opd: r.opd, enrolled: 0, completed: 0 };
    m.enrolled++;
    if (r.status === 'completed') m.completed++;
    by.set(key, m);
  }
  return [...by.values()].sort((a, b) => a.name.localeCompare(b.name, 'id'));
}
