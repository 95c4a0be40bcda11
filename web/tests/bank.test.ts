// The question bank's edit form: a question into fields and back, checks before sending.
import { describe, expect, it } from 'vitest';
import { assignIds, byCategory, fromDraft, guessFormat, moveLine, newLine, parseNumber, toDraft, type BankEntry, type BankQuestion } from '../src/lib/bank';

const single: BankQuestion = {
  id: 'ibu-kota',
  title: 'Ibu kota',
  text: 'Ibu kota Kabupaten Batang Hari adalah …',
  default_points: 1,
  category: 'Umum',
  tags: ['wilayah'],
  kind: {
    type: 'single_choice',
    shuffle: true,
    choices: [
      { id: 'x1', text: 'Muara Bulian', weight: 1, feedback: 'Benar.' },
      { id: 'x2', text: 'Muara Tembesi', weight: 0 },
    ],
  },
};

/** A kind's fields, whatever its type (the union is narrowed by the code under test, not here). */
const fields = (q: BankQuestion) => q.kind as Record<string, unknown>;

function ok(r: ReturnType<typeof fromDraft>): BankQuestion {
  if ('errors' in r) throw new Error(JSON.stringify(r.errors));
  return r.question;
}

describe('bank question form', () => {
  it('shows weights in percent with a decimal comma in Indonesian', () => {
    const d = toDraft({ ...single, default_points: 1.5 });
    expect(d.points).toBe('1,5');
    expect(d.lines.map((l) => [l.id, l.text, l.weight])).toEqual([
      ['x1', 'Muara Bulian', '100'],
      ['x2', 'Muara Tembesi', '0'],
    ]);
    expect(toDraft({ ...single, default_points: 1.5 }, 'en').points).toBe('1.5');
  });

  it('sends the edited key back, keeping ids, feedback, tags and shuffling', () => {
    const d = toDraft(single);
    d.lines[0].weight = '0';
    d.lines[1].weight = '100';
    d.lines[1].text = 'Muara Tembesi (benar)';
    d.points = '2';
    const q = ok(fromDraft(single, d));
    expect(q.default_points).toBe(2);
    expect(q.tags).toEqual(['wilayah']);
    expect(fields(q).shuffle).toBe(true);
    expect(fields(q).choices).toEqual([
      { id: 'x1', text: 'Muara Bulian', weight: 0, feedback: 'Benar.' },
      { id: 'x2', text: 'Muara Tembesi (benar)', weight: 1 },
    ]);
  });

  it('gives a new option an id from its text, never from its place', () => {
    const d = toDraft(single);
    d.lines.push({ ...newLine('single_choice'), text: 'Jambi' });
    const q = ok(fromDraft(single, d));
    const ids = (fields(q).choices as { id: string }[]).map((c) => c.id);
    expect(ids.slice(0, 2)).toEqual(['x1', 'x2']);
    expect(ids[2]).toMatch(/^[0-9a-f]{8}$/);
    expect(assignIds([{ id: '', text: 'Jambi' }])[0]).toBe(ids[2]);
    // Two new lines with the same text still get distinct ids.
    const two = assignIds([
      { id: '', text: 'A' },
      { id: '', text: 'A' },
    ]);
    expect(two[1]).toBe(`${two[0]}-2`);
  });

  it('says what is wrong before sending', () => {
    const d = toDraft(single);
    d.title = ' ';
    d.points = 'dua';
    d.lines[0].weight = '150';
    d.lines[1].text = '';
    const r = fromDraft(single, d);
    expect('errors' in r && r.errors).toEqual({
      title: 'bank.err.title',
      points: 'bank.err.points',
      'line-0-weight': 'bank.err.weight',
      'line-1-text': 'bank.err.lineText',
    });
  });

  it('refuses a key that gives no credit at all', () => {
    const d = toDraft(single);
    d.lines[0].weight = '0';
    expect(fromDraft(single, d)).toEqual({ errors: { lines: 'bank.err.noCredit' } });
  });

  it('edits true/false, essays and keeps category and feedback optional', () => {
    const tf: BankQuestion = { id: 'tf', title: 'Benar salah', text: 'Langit biru.', default_points: 1, kind: { type: 'true_false', correct: true } };
    const d = toDraft(tf);
    d.correct = false;
    d.generalFeedback = 'Lihat modul 1.';
    const q = ok(fromDraft(tf, d));
    expect(q.kind).toEqual({ type: 'true_false', correct: false });
    expect(q.general_feedback).toBe('Lihat modul 1.');
    expect('category' in q).toBe(false);

    const essay: BankQuestion = { id: 'e', title: 'Esai', text: 'Jelaskan.', default_points: 4, kind: { type: 'essay', grader_info: 'lama' } };
    const e = toDraft(essay);
    e.graderInfo = '';
    expect(ok(fromDraft(essay, e)).kind).toEqual({ type: 'essay' });
  });

  it('edits numeric answers as a value and a tolerance (a range as its middle)', () => {
    const num: BankQuestion = {
      id: 'n',
      title: 'Angka',
      text: 'Berapa?',
      default_points: 1,
      kind: { type: 'numeric', answers: [{ value: { kind: 'range', min: 9, max: 11 }, weight: 1 }] },
    };
    const d = toDraft(num);
    expect([d.lines[0].value, d.lines[0].tolerance]).toEqual(['10', '1']);
    d.lines[0].value = '12,5';
    expect(fields(ok(fromDraft(num, d))).answers).toEqual([{ value: { kind: 'exact', value: 12.5, tolerance: 1 }, weight: 1 }]);
    d.lines[0].tolerance = '-1';
    expect(fromDraft(num, d)).toEqual({ errors: { 'line-0-tolerance': 'bank.err.tolerance' } });
  });

  it('reorders ordering items and rebuilds matching choices, keeping distractors', () => {
    const ord: BankQuestion = {
      id: 'o',
      title: 'Urutan',
      text: 'Urutkan.',
      default_points: 1,
      kind: { type: 'ordering', scoring: 'all_or_nothing', items: [{ id: 'p', text: 'Satu' }, { id: 'q', text: 'Dua' }] },
    };
    const d = toDraft(ord);
    d.lines = moveLine(d.lines, 1, -1);
    expect(fields(ok(fromDraft(ord, d))).items).toEqual([{ id: 'q', text: 'Dua' }, { id: 'p', text: 'Satu' }]);
    expect(moveLine(d.lines, 0, -1)).toBe(d.lines);

    const match: BankQuestion = {
      id: 'm',
      title: 'Pasangan',
      text: 'Pasangkan.',
      default_points: 1,
      kind: {
        type: 'matching',
        shuffle: true,
        pairs: [{ id: 'k1', prompt: 'Jambi', answer: 'c1' }],
        choices: [{ id: 'c1', text: 'Provinsi' }, { id: 'c9', text: 'Negara' }],
      },
    };
    const m = toDraft(match);
    expect(m.lines[0].answer).toBe('Provinsi');
    m.lines.push({ id: '', text: 'Batang Hari', weight: '', answer: 'Kabupaten' });
    const k = fields(ok(fromDraft(match, m)));
    const choices = k.choices as { id: string; text: string }[];
    expect(choices.map((c) => c.text)).toEqual(['Provinsi', 'Kabupaten', 'Negara']);
    expect(choices[0].id).toBe('c1');
    expect(choices[2].id).toBe('c9');
    const pairs = k.pairs as { id: string; prompt: string; answer: string }[];
    expect(pairs[1].answer).toBe(choices[1].id);
    m.lines[1].answer = '';
    expect(fromDraft(match, m)).toEqual({ errors: { 'line-1-answer': 'bank.err.lineAnswer' } });
  });

  it('reads signed and decimal numbers', () => {
    expect(parseNumber('-33,3')).toBe(-33.3);
    expect(parseNumber('+5')).toBe(5);
    expect(parseNumber('1.2.3')).toBeNull();
    expect(parseNumber('')).toBeNull();
  });
});

describe('bank listing and import', () => {
  const entry = (id: string, category: string | null): BankEntry => ({ id, category, type: 'single', revision: 1, updated_at: '2026-01-01T00:00:00Z', question: { ...single, id } });

  it('groups by category, alphabetical, uncategorised last', () => {
    const groups = byCategory([entry('a', null), entry('b', 'Keuangan'), entry('c', 'Anggaran'), entry('d', 'Keuangan')]);
    expect(groups.map((g) => [g.category, g.entries.map((e) => e.id)])).toEqual([
      ['Anggaran', ['c']],
      ['Keuangan', ['b', 'd']],
      [null, ['a']],
    ]);
  });

  it('guesses the format from the file name', () => {
    expect(guessFormat('soal-aiken.txt')).toBe('aiken');
    expect(guessFormat('bank.gift')).toBe('gift');
    expect(guessFormat('soal.txt')).toBe('gift');
  });
});
