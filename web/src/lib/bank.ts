// The course's question bank for instructors: a question in the quiz engine's JSON form (as
// `GET /courses/{slug}/bank` gives it and `PUT …/bank/questions/{id}` takes it back) turned into
// a form's fields and back, with what a form can check before sending. Pure; tested in
// tests/bank.test.ts. What the form does not show (tags, text format, option feedback, shuffling)
// is kept from the question as it was.
import type { BankQuestionView, Question, QuestionKind } from '../api/views';
export { moveItem as moveLine } from './list';

/** A question as the server stores it (crates/quiz/src/model.rs `Question`). */
export type BankQuestion = Question;

/** One bank entry (`BankQuestionView`). */
export type BankEntry = BankQuestionView;

/**
 * The form reads and rebuilds a kind field by field, whatever its type, and keeps what it does not
 * edit: a loose view of the generated union for that.
 */
type LooseKind = { type: string } & Record<string, unknown>;
const loose = (k: QuestionKind): LooseKind => k as LooseKind;

/** An option, accepted answer or item as the form edits it: its text and weight in percent. */
export interface DraftLine {
  /** The option's id (kept, so responses already given still point at it); '' for a new one. */
  id: string;
  text: string;
  /** Percent of the question's points, as typed ("100", "-50", "33,3"). */
  weight: string;
  /** Numeric answers: the value and tolerance as typed. */
  value?: string;
  tolerance?: string;
  /** Matching: the choice text that answers this prompt. */
  answer?: string;
}

export interface Draft {
  type: string;
  title: string;
  text: string;
  points: string;
  category: string;
  generalFeedback: string;
  /** Choices, short answers, numeric answers, ordering items (in the right order), matching pairs. */
  lines: DraftLine[];
  /** True/false: the right answer. */
  correct: boolean;
  /** Essays: guidance for the grader. */
  graderInfo: string;
}

/** The types whose answer key the form edits as lines. */
export const LINE_TYPES = ['single_choice', 'multiple_response', 'short_answer', 'numeric', 'ordering', 'matching'] as const;

export function hasLines(type: string): boolean {
  return (LINE_TYPES as readonly string[]).includes(type);
}

/** Whether the lines carry a weight (ordering and matching score by position and pairs). */
export function hasWeights(type: string): boolean {
  return type === 'single_choice' || type === 'multiple_response' || type === 'short_answer' || type === 'numeric';
}

/** A number as typed, with a decimal comma or point and an optional sign; null otherwise. */
export function parseNumber(v: string | undefined): number | null {
  const s = (v ?? '').trim().replace(',', '.');
  if (!/^[-+]?\d+(\.\d+)?$/.test(s)) return null;
  return Number(s);
}

/** A number for a form field: a decimal comma in Indonesian. */
export function numberText(n: number, lang: 'id' | 'en' = 'id'): string {
  const s = String(Math.round(n * 1e6) / 1e6);
  return lang === 'id' ? s.replace('.', ',') : s;
}

const pct = (w: unknown, lang: 'id' | 'en') => numberText(typeof w === 'number' ? w * 100 : 0, lang);
const str = (v: unknown) => (typeof v === 'string' ? v : '');
const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? (v as Record<string, unknown>[]) : []);

/** The form's fields for a question. */
export function toDraft(q: BankQuestion, lang: 'id' | 'en' = 'id'): Draft {
  const k = loose(q.kind);
  let lines: DraftLine[] = [];
  switch (k.type) {
    case 'single_choice':
    case 'multiple_response':
      lines = list(k.choices).map((c) => ({ id: str(c.id), text: str(c.text), weight: pct(c.weight, lang) }));
      break;
    case 'short_answer':
      lines = list(k.answers).map((a) => ({ id: '', text: str(a.text), weight: pct(a.weight, lang) }));
      break;
    case 'numeric':
      lines = list(k.answers).map((a) => {
        const v = (a.value ?? {}) as Record<string, unknown>;
        const exact = v.kind !== 'range';
        const value = exact ? (v.value as number) : ((v.min as number) + (v.max as number)) / 2;
        const tolerance = exact ? (v.tolerance as number) : Math.abs((v.max as number) - (v.min as number)) / 2;
        return { id: '', text: '', weight: pct(a.weight, lang), value: numberText(value ?? 0, lang), tolerance: numberText(tolerance ?? 0, lang) };
      });
      break;
    case 'ordering':
      lines = list(k.items).map((i) => ({ id: str(i.id), text: str(i.text), weight: '' }));
      break;
    case 'matching': {
      const choices = new Map(list(k.choices).map((c) => [str(c.id), str(c.text)]));
      lines = list(k.pairs).map((p) => ({ id: str(p.id), text: str(p.prompt), weight: '', answer: choices.get(str(p.answer)) ?? '' }));
      break;
    }
  }
  return {
    type: k.type,
    title: q.title,
    text: q.text,
    points: numberText(q.default_points, lang),
    category: q.category ?? '',
    generalFeedback: q.general_feedback ?? '',
    lines,
    correct: k.type === 'true_false' ? k.correct === true : true,
    graderInfo: k.type === 'essay' ? str(k.grader_info) : '',
  };
}

/** A new, empty line for the question's type. */
export function newLine(type: string): DraftLine {
  if (type === 'numeric') return { id: '', text: '', weight: '100', value: '', tolerance: '0' };
  if (type === 'short_answer') return { id: '', text: '', weight: '100' };
  if (type === 'ordering' || type === 'matching') return { id: '', text: '', weight: '', answer: type === 'matching' ? '' : undefined };
  return { id: '', text: '', weight: '0' };
}

/** FNV-1a of the text, as 8 hex digits. */
function textHash(text: string): string {
  let h = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text.split(/\s+/).filter(Boolean).join(' '))) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/**
 * Ids for lines: a kept line keeps its id (responses already given point at it); a new one gets
 * a hash of its text, as the quiz parsers do — never its position, which would tell learners the
 * order of an ordering question. Made unique with `-2`, `-3`….
 */
export function assignIds(lines: { id: string; text: string }[]): string[] {
  const taken = new Set(lines.map((l) => l.id).filter(Boolean));
  return lines.map((l) => {
    if (l.id) return l.id;
    const base = textHash(l.text);
    let id = base;
    for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
    taken.add(id);
    return id;
  });
}

/** What the form found wrong: a field (`title`, `points`, `lines`, `line-3-weight`, …) → message key. */
export type DraftErrors = Record<string, string>;

/**
 * The question to send for a form, or the form's errors (message keys of `bank.err.*`).
 * `original` supplies what the form does not edit.
 */
export function fromDraft(original: BankQuestion, d: Draft): { question: BankQuestion } | { errors: DraftErrors } {
  const errors: DraftErrors = {};
  if (!d.title.trim()) errors.title = 'bank.err.title';
  if (!d.text.trim() && d.type !== 'description') errors.text = 'bank.err.text';
  const points = parseNumber(d.points);
  if (points === null || points < 0) errors.points = 'bank.err.points';

  const was = loose(original.kind);
  const kind: Record<string, unknown> = { ...was };
  if (hasLines(d.type)) {
    const lines = d.lines.map((l) => ({ ...l, text: l.text.trim(), answer: l.answer?.trim() }));
    const min = d.type === 'ordering' || d.type === 'matching' ? 2 : 1;
    if (lines.length < min) errors.lines = min === 2 ? 'bank.err.twoLines' : 'bank.err.oneLine';
    const weights: number[] = [];
    lines.forEach((l, i) => {
      if (d.type !== 'numeric' && !l.text) errors[`line-${i}-text`] = 'bank.err.lineText';
      if (d.type === 'matching' && !l.answer) errors[`line-${i}-answer`] = 'bank.err.lineAnswer';
      if (hasWeights(d.type)) {
        const w = parseNumber(l.weight);
        if (w === null || w < -100 || w > 100) errors[`line-${i}-weight`] = 'bank.err.weight';
        weights.push((w ?? 0) / 100);
      }
      if (d.type === 'numeric') {
        if (parseNumber(l.value ?? '') === null) errors[`line-${i}-value`] = 'bank.err.number';
        const tol = parseNumber(l.tolerance ?? '');
        if (tol === null || tol < 0) errors[`line-${i}-tolerance`] = 'bank.err.tolerance';
      }
    });
    if (hasWeights(d.type) && !errors.lines && !Object.keys(errors).some((k) => k.endsWith('-weight')) && !weights.some((w) => w > 0)) {
      errors.lines = 'bank.err.noCredit';
    }
    if (Object.keys(errors).length === 0) {
      const byId = (arr: unknown, id: string) => list(arr).find((o) => str(o.id) === id) ?? {};
      switch (d.type) {
        case 'single_choice':
        case 'multiple_response': {
          const ids = assignIds(lines);
          kind.choices = lines.map((l, i) => ({ ...byId(was.choices, l.id), id: ids[i], text: l.text, weight: weights[i] }));
          break;
        }
        case 'short_answer': {
          const old = list(was.answers);
          kind.answers = lines.map((l, i) => ({ ...(old.find((a) => str(a.text) === l.text) ?? {}), text: l.text, weight: weights[i] }));
          break;
        }
        case 'numeric':
          kind.answers = lines.map((l, i) => ({
            ...(list(was.answers)[i] ?? {}),
            value: { kind: 'exact', value: parseNumber(l.value ?? '') ?? 0, tolerance: parseNumber(l.tolerance ?? '') ?? 0 },
            weight: weights[i],
          }));
          break;
        case 'ordering': {
          const ids = assignIds(lines);
          kind.items = lines.map((l, i) => ({ id: ids[i], text: l.text }));
          break;
        }
        case 'matching': {
          const pairIds = assignIds(lines);
          // One choice per distinct answer text, keeping the ids of choices that stay and the
          // distractors (choices no prompt answers).
          const oldChoices = list(was.choices);
          const answered = new Set(list(was.pairs).map((p) => str(p.answer)));
          const choices: { id: string; text: string }[] = [];
          const choiceOf = (text: string) => {
            let c = choices.find((x) => x.text === text);
            if (!c) {
              const old = oldChoices.find((o) => str(o.text) === text);
              c = { id: old ? str(old.id) : '', text };
              choices.push(c);
            }
            return c;
          };
          const answers = lines.map((l) => choiceOf(l.answer ?? ''));
          for (const o of oldChoices) if (!answered.has(str(o.id))) choiceOf(str(o.text));
          const choiceIds = assignIds(choices);
          choices.forEach((c, i) => (c.id = choiceIds[i]));
          kind.pairs = lines.map((l, i) => ({ id: pairIds[i], prompt: l.text, answer: answers[i].id }));
          kind.choices = choices;
          break;
        }
      }
    }
  }
  if (d.type === 'true_false') kind.correct = d.correct;
  if (d.type === 'essay') {
    const info = d.graderInfo.trim();
    if (info) kind.grader_info = info;
    else delete kind.grader_info;
  }
  if (Object.keys(errors).length) return { errors };

  const question: BankQuestion = { ...original, title: d.title.trim(), text: d.text, default_points: points!, kind: kind as QuestionKind };
  const category = d.category.trim();
  if (category) question.category = category;
  else delete question.category;
  const feedback = d.generalFeedback.trim();
  if (feedback) question.general_feedback = feedback;
  else delete question.general_feedback;
  delete question.source_line;
  return { question };
}

/** Bank entries grouped by category (no category last), in the bank's order within each. */
export function byCategory(entries: BankEntry[]): { category: string | null; entries: BankEntry[] }[] {
  const groups = new Map<string | null, BankEntry[]>();
  for (const e of entries) {
    const key = e.category?.trim() || null;
    groups.set(key, [...(groups.get(key) ?? []), e]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => (a === null ? 1 : b === null ? -1 : a.localeCompare(b, 'id')))
    .map(([category, entries]) => ({ category, entries }));
}

/** The format of a file to import, from its name: `.txt` files are GIFT unless named `*aiken*`. */
export function guessFormat(fileName: string): 'gift' | 'aiken' {
  return /aiken/i.test(fileName) ? 'aiken' : 'gift';
}
