// A small course for the end-to-end tests: one module, two lessons (a table, code, maths, a
// callout), and an untimed final quiz with one true/false question, required for completion.
// `withError` adds a link to a lesson that does not exist, at a known line.
export const SLUG = 'uji-coba-e2e';
export const TITLE = 'Uji Coba Lentera E2E';
export const QUIZ = 'kuis-akhir';
export const BROKEN_LINE = 12;

const lesson1 = (withError) =>
  [
    '---',
    'id: pengantar',
    'title: Pengantar Uji Coba',
    'duration_minutes: 5',
    '---',
    '',
    '# Pengantar',
    '',
    'Pelajaran pertama kursus uji coba. Rumus luas lingkaran adalah $L = \\pi r^2$.',
    '',
    '## Tabel contoh {#tabel-contoh}',
    withError ? 'Lihat juga [pelajaran yang hilang](tidak-ada.md).' : 'Lihat juga [pelajaran berikutnya](02-lanjutan.md).',
    '',
    '| Kode | Nama OPD | Pagu | Realisasi | Persentase | Keterangan panjang sekali |',
    '| --- | --- | --- | --- | --- | --- |',
    '| OPD01 | Dinas Komunikasi dan Informatika | 1.000.000 | 750.000 | 75 | realisasi sesuai rencana kerja |',
    '',
    '::: callout-tip',
    'Simpan pekerjaan Anda secara berkala.',
    ':::',
    '',
  ].join('\n');

const lesson2 = [
  '---',
  'id: lanjutan',
  'title: Lanjutan Uji Coba',
  'duration_minutes: 5',
  '---',
  '',
  '# Lanjutan',
  '',
  '```python',
  'def luas(r):',
  '    return 3.14 * r * r',
  '```',
  '',
  'Setelah membaca, kerjakan [kuis akhir](../kuis/kuis-akhir.quiz.md).',
  '',
].join('\n');

const quiz = [
  '---',
  'title: Kuis Akhir Uji Coba',
  'role: final',
  'pass_mark_percent: 50',
  'max_attempts: 3',
  'review:',
  '  immediately: feedback',
  '  after_close: feedback',
  '---',
  '',
  'Satu soal benar/salah.',
  '',
  '## Ibu kota {#ibu-kota}',
  '',
  'Muara Bulian adalah ibu kota Kabupaten Batang Hari.',
  '',
  '- [x] Benar',
  '- [ ] Salah',
  '',
].join('\n');

const course = [
  `slug = "${SLUG}"`,
  `title = "${TITLE}"`,
  'summary = "Kursus singkat untuk uji otomatis Lentera."',
  'category = "Uji Coba"',
  'level = "dasar"',
  'language = "id"',
  'jp = 2',
  'duration_minutes = 20',
  'visibility = "public"',
  'self_enrol = true',
  '',
  '[completion]',
  `require_quiz = "${QUIZ}"`,
  '',
  '[[quizzes]]',
  `file = "kuis/${QUIZ}.quiz.md"`,
  'role = "final"',
  '',
].join('\n');

/** The course folder's files (inside a top folder, as zipping a folder gives). */
export function courseFiles({ withError = false } = {}) {
  return {
    [`${SLUG}/course.toml`]: course,
    [`${SLUG}/01-dasar/module.toml`]: 'title = "Dasar"\nsummary = "Modul uji coba."\n',
    [`${SLUG}/01-dasar/01-pengantar.md`]: lesson1(withError),
    [`${SLUG}/01-dasar/02-lanjutan.md`]: lesson2,
    [`${SLUG}/kuis/${QUIZ}.quiz.md`]: quiz,
  };
}
