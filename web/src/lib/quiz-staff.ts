// The staff side of quizzes: a full question (with its answer key) and a learner's response as
// lines of text for the grader, and the manual grades to send. Pure; tests/quiz-staff.test.ts.
import type { components } from '../api/schema';
import type { Question, QuestionKind, QuizResponse, StaffAttemptView } from '../api/views';

/** `lentera_quiz::Question` as staff see it (answer key included). */
export type StaffQuestion = Question;

/** `StaffAttemptView` (`GET /attempts/{id}` for the course's staff; `POST …/grades`). */
export type StaffAttempt = StaffAttemptView;

interface Texted {
  id: string;
  text: string;
}

const choicesOf = (k: QuestionKind): Texted[] => ('choices' in k ? k.choices : []);

/** What the learner answered, as lines (`null`: no response). `yes`/`no` name true and false. */
export function responseLines(q: StaffQuestion, r: QuizResponse | undefined, yes: string, no: string): string[] | null {
  if (!r) return null;
  const k = q.kind;
  const textOf = (items: Texted[], id: string) => items.find((i) => i.id === id)?.text ?? id;
  switch (r.type) {
    case 'single_choice':
      return [textOf(choicesOf(k), r.option)];
    case 'multiple_response':
      return r.options.map((o) => textOf(choicesOf(k), o));
    case 'true_false':
      return [r.value ? yes : no];
    case 'short_answer':
      return [r.text];
    case 'numeric':
      return [r.input];
    case 'matching': {
      const pairs = k.type === 'matching' ? k.pairs : [];
      return Object.entries(r.pairs).map(([prompt, choice]) => `${pairs.find((p) => p.id === prompt)?.prompt ?? prompt} → ${textOf(choicesOf(k), choice)}`);
    }
    case 'ordering':
      return r.order.map((o, i) => `${i + 1}. ${textOf(k.type === 'ordering' ? k.items : [], o)}`);
    case 'essay':
      return [r.text];
  }
}

/** Questions a grader must (essays) or may score by hand: essays, and any already graded by hand. */
export function gradedByHand(a: Pick<StaffAttempt, 'questions' | 'manual_grades'>): string[] {
  return a.questions.filter((q) => q.kind.type === 'essay' || a.manual_grades[q.id]).map((q) => q.id);
}

export interface GradeInput {
  points: string;
  comment: string;
}

/**
 * The `POST /attempts/{id}/grades` body from what was typed: only questions with points typed;
 * an error per question whose points are not a number within 0..max.
 */
export function gradesBody(
  inputs: Record<string, GradeInput>,
  max: Record<string, number>,
): { grades: { question_id: string; points: number; comment: string | null }[]; errors: Record<string, 'not_a_number' | 'out_of_range'> } {
  const grades: { question_id: string; points: number; comment: string | null }[] = [];
  const errors: Record<string, 'not_a_number' | 'out_of_range'> = {};
  for (const [id, input] of Object.entries(inputs)) {
    const typed = input.points.trim().replace(',', '.');
    if (!typed) continue;
    if (!/^\d+(\.\d+)?$/.test(typed)) {
      errors[id] = 'not_a_number';
      continue;
    }
    const points = Number(typed);
    if (points > (max[id] ?? Infinity)) {
      errors[id] = 'out_of_range';
      continue;
    }
    grades.push({ question_id: id, points, comment: input.comment.trim() || null });
  }
  return { grades, errors };
}

/** One attempt a regrade looked at. */
export type RegradedAttempt = components['schemas']['RegradedAttempt'];

/** `POST /courses/{slug}/quizzes/{quiz_id}/regrade` (with `?dry_run=true`: what would change). */
export type RegradeReport = components['schemas']['RegradeReport'];

/** Scores differing by less than this are the same score (floating-point noise). */
const SAME = 1e-6;

/** What a regrade did (or would do): scores raised and lowered, pass/fail changed, warnings. */
export function regradeSummary(r: RegradeReport): { raised: number; lowered: number; unchanged: number; passChanged: number; warnings: number } {
  let raised = 0;
  let lowered = 0;
  let passChanged = 0;
  let warnings = 0;
  for (const a of r.attempts) {
    const delta = a.new_percent - (a.old_percent ?? 0);
    if (delta > SAME) raised++;
    else if (delta < -SAME) lowered++;
    if (a.old_pass_state !== null && a.old_pass_state !== a.new_pass_state) passChanged++;
    warnings += a.warnings.length;
  }
  return { raised, lowered, unchanged: r.attempts.length - raised - lowered, passChanged, warnings };
}
