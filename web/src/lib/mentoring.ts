// Mentoring: a mentor's mentees (`GET /me/mentees`, each with this year's JP and their courses)
// summed up for the mentor's page, and the pairs hr and admins manage. Pure; tested in
// tests/mentoring.test.ts.
import type { components } from '../api/schema';

export type MenteeView = components['schemas']['MenteeView'];
export type PairView = components['schemas']['PairView'];
export type PairPage = components['schemas']['PairPage'];

/** JP still needed to reach the target (never negative), to two decimals. */
export function jpNeeded(m: MenteeView): number {
  return Math.max(0, Math.round((m.jp_target - m.jp_earned) * 100) / 100);
}

/** How many mentees there are, how many meet the JP target, and who is below it (most JP needed first). */
export function summarise(mentees: MenteeView[]): { count: number; atTarget: number; below: MenteeView[] } {
  const below = mentees
    .filter((m) => !m.target_met)
    .sort((a, b) => jpNeeded(b) - jpNeeded(a) || a.name.localeCompare(b.name, 'id'));
  return { count: mentees.length, atTarget: mentees.length - below.length, below };
}

/** The pairs after one was ended: it leaves the list and the total. */
export function withoutPair(page: PairPage, id: string): PairPage {
  const items = page.items.filter((p) => p.id !== id);
  return { ...page, items, total: page.total - (page.items.length - items.length) };
}
