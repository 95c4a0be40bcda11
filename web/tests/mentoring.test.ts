// A mentor's page: the report scoped to mentees and the mentor, with the mentor taken out.
import { describe, expect, it } from 'vitest';
import type { CompletionRow, JpCompliance } from '../src/api/views';
import { menteeRows, menteesCompliance, perMentee } from '../src/lib/mentoring';

const me = { id: 'm', name: 'Drs. Mentor', nip: '197001012000031001' };
const learner = (user_id: string, name: string, earned: number) => ({ user_id, nip: null, name, opd: 'Diskominfo', employment_type: 'PNS', earned, needed: 20 - earned });
const report = (learners: number, at: number, below: ReturnType<typeof learner>[]): JpCompliance =>
  ({ year: 2026, target: 20, learners, at_or_above: at, share: 0, opds: [], below_total: below.length, below }) as JpCompliance;

describe('mentees JP compliance', () => {
  it('leaves the mentor out when they are below the target', () => {
    const r = menteesCompliance(report(3, 1, [learner('m', 'Drs. Mentor', 4), learner('a', 'Budi', 2)]), me);
    expect(r).toEqual({ mentees: 2, atOrAbove: 1, below: [learner('a', 'Budi', 2)] });
  });

  it('leaves the mentor out when they meet the target', () => {
    const r = menteesCompliance(report(3, 2, [learner('a', 'Budi', 2)]), me);
    expect([r.mentees, r.atOrAbove, r.below.length]).toEqual([2, 1, 1]);
  });

  it('counts nothing for a mentor without a NIP (not among the learners)', () => {
    const r = menteesCompliance(report(2, 1, [learner('a', 'Budi', 2)]), { ...me, nip: null });
    expect([r.mentees, r.atOrAbove]).toEqual([2, 1]);
  });
});

describe('mentees completions', () => {
  const row = (nip: string | null, name: string, status: string) => ({ nip, name, opd: 'Diskominfo', status }) as CompletionRow;
  it("drops the mentor's own rows and tallies per mentee", () => {
    const rows = menteeRows([row(me.nip, me.name, 'completed'), row('1', 'Siti', 'active'), row('2', 'Budi', 'completed'), row('2', 'Budi', 'active')], me);
    expect(rows.map((r) => r.name)).toEqual(['Siti', 'Budi', 'Budi']);
    expect(perMentee(rows)).toEqual([
      { name: 'Budi', nip: '2', opd: 'Diskominfo', enrolled: 2, completed: 1 },
      { name: 'Siti', nip: '1', opd: 'Diskominfo', enrolled: 1, completed: 0 },
    ]);
  });
});
