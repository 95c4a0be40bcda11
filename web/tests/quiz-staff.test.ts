// The grader's view of an attempt: responses in words, which questions are graded by hand, the
// grades to send.
import { describe, expect, it } from 'vitest';
import { gradedByHand, gradesBody, responseLines, type StaffQuestion, regradeSummary, type RegradeReport, type RegradedAttempt } from '../src/lib/quiz-staff';

const q = (id: string, kind: StaffQuestion['kind']): StaffQuestion => ({ id, title: id, text: 't', default_points: 1, kind });

describe('responses in words', () => {
  const choice = q('c', { type: 'single_choice', shuffle: false, choices: [{ id: 'a', text: 'Jakarta', weight: 0 }, { id: 'b', text: 'Bandung', weight: 1 }] });
  it('names the options chosen', () => {
    expect(responseLines(choice, { type: 'single_choice', option: 'b' }, 'Benar', 'Salah')).toEqual(['Bandung']);
    expect(
      responseLines(q('m', { type: 'multiple_response', shuffle: false, choices: [{ id: 'x', text: 'X', weight: 0.5 }, { id: 'y', text: 'Y', weight: 0.5 }] }), { type: 'multiple_response', options: ['y', 'x'] }, 'Benar', 'Salah'),
    ).toEqual(['Y', 'X']);
    expect(responseLines(q('t', { type: 'true_false', correct: true }), { type: 'true_false', value: false }, 'Benar', 'Salah')).toEqual(['Salah']);
  });

  it('shows typed answers, pairs and order', () => {
    expect(responseLines(q('e', { type: 'essay' }), { type: 'essay', text: 'Jawaban saya' }, 'B', 'S')).toEqual(['Jawaban saya']);
    const matching = q('p', { type: 'matching', shuffle: false, pairs: [{ id: 'p1', prompt: 'Ibu kota', answer: 'c1' }], choices: [{ id: 'c1', text: 'Muara Bulian' }] });
    expect(responseLines(matching, { type: 'matching', pairs: { p1: 'c1' } }, 'B', 'S')).toEqual(['Ibu kota → Muara Bulian']);
    const ordering = q('o', { type: 'ordering', scoring: 'all_or_nothing', items: [{ id: 'i1', text: 'Satu' }, { id: 'i2', text: 'Dua' }] });
    expect(responseLines(ordering, { type: 'ordering', order: ['i2', 'i1'] }, 'B', 'S')).toEqual(['1. Dua', '2. Satu']);
    expect(responseLines(choice, undefined, 'B', 'S')).toBeNull();
  });
});

describe('manual grades', () => {
  it('grades essays and questions already graded by hand', () => {
    const questions = [q('a', { type: 'true_false', correct: true }), q('b', { type: 'essay' }), q('c', { type: 'short_answer', answers: [], case_sensitive: false, normalise_whitespace: true })];
    expect(gradedByHand({ questions, manual_grades: { c: { points: 1 } } })).toEqual(['b', 'c']);
  });

  it('sends typed points within the maximum, with the comment', () => {
    const out = gradesBody(
      { b: { points: '3,5', comment: ' Cukup baik ' }, c: { points: '', comment: 'x' }, d: { points: 'tiga', comment: '' }, e: { points: '6', comment: '' } },
      { b: 5, c: 1, d: 2, e: 5 },
    );
    expect(out.grades).toEqual([{ question_id: 'b', points: 3.5, comment: 'Cukup baik' }]);
    expect(out.errors).toEqual({ d: 'not_a_number', e: 'out_of_range' });
  });
});

describe('regrade report', () => {
  type Pass = RegradedAttempt['new_pass_state'];
  const attempt = (old_percent: number | null, new_percent: number, old_pass_state: Pass | null, new_pass_state: Pass, warnings: RegradedAttempt['warnings'] = []): RegradedAttempt => ({
    attempt_id: 'x',
    user_id: 'u',
    number: 1,
    old_percent,
    new_percent,
    old_pass_state,
    new_pass_state,
    changes: [],
    warnings,
  });

  it('counts scores raised, lowered and unchanged, pass changes and warnings', () => {
    const r: RegradeReport = {
      dry_run: false,
      questions_changed: ['q1'],
      attempts_checked: 4,
      open_attempts_updated: 1,
      attempts: [
        attempt(50, 100, 'failed', 'passed'),
        attempt(100, 50, 'passed', 'failed', [{ kind: 'response_no_longer_fits', question_id: 'q1' }]),
        attempt(75, 75.0000001, 'passed', 'passed'),
        attempt(null, 20, null, 'failed'),
      ],
    };
    expect(regradeSummary(r)).toEqual({ raised: 2, lowered: 1, unchanged: 1, passChanged: 2, warnings: 1 });
  });
});
