// Mentoring: the mentor's page sums up `GET /me/mentees`; hr's list drops a pair once ended.
import { describe, expect, it } from 'vitest';
import { jpNeeded, summarise, withoutPair, type MenteeView, type PairPage } from '../src/lib/mentoring';

const mentee = (id: string, name: string, earned: number, target = 20): MenteeView => ({
  id,
  name,
  nip: null,
  opd_id: 'o',
  opd_name: 'Diskominfo',
  year: 2026,
  jp_earned: earned,
  jp_target: target,
  target_met: earned >= target,
  courses_enrolled: 2,
  courses_completed: 1,
});

describe("a mentor's mentees", () => {
  it('counts those at the target and lists the others, most JP needed first', () => {
    const r = summarise([mentee('a', 'Budi', 4), mentee('b', 'Siti', 20), mentee('c', 'Andi', 12.5), mentee('d', 'Ani', 4)]);
    expect(r.count).toBe(4);
    expect(r.atTarget).toBe(1);
    expect(r.below.map((m) => m.name)).toEqual(['Ani', 'Budi', 'Andi']);
  });

  it('needs nothing more once the target is met, and rounds to hundredths', () => {
    expect(jpNeeded(mentee('a', 'Budi', 24))).toBe(0);
    expect(jpNeeded(mentee('a', 'Budi', 12.333))).toBe(7.67);
  });

  it('has nothing to say for no mentees', () => {
    expect(summarise([])).toEqual({ count: 0, atTarget: 0, below: [] });
  });
});

describe('the pairs hr manage', () => {
  const person = (id: string) => ({ id, name: id, opd_id: null, opd_name: null });
  const page: PairPage = {
    items: [
      { id: 'p1', mentor: person('m'), mentee: person('a'), created_at: '2026-01-01T00:00:00' },
      { id: 'p2', mentor: person('m'), mentee: person('b'), created_at: '2026-01-01T00:00:00' },
    ],
    total: 7,
    page: 1,
    per_page: 50,
  };
  it('drops an ended pair from the page and the total', () => {
    const after = withoutPair(page, 'p1');
    expect(after.items.map((p) => p.id)).toEqual(['p2']);
    expect(after.total).toBe(6);
    expect(withoutPair(after, 'p1').total).toBe(6);
  });
});
