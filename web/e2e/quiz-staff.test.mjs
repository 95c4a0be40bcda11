// End-to-end journey of quiz results for the course's instructor, against `lentera serve --demo`:
// the demo instructor's course with a true/false question and an essay (imported through the
// API), two learners' attempts (answered and submitted through the API); in the browser the
// instructor lists the attempts waiting for grading, grades the essay (a score above the maximum
// is refused at its field), sees the attempt's score and the item statistics. Every page is checked
// with axe-core and photographed at 1280×800 and 360×740.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { DEMO } from './harness.mjs';
import { checkA11y, overflow, PHONE, shot, SKIP, useServer } from './helpers.mjs';
import { zip } from './zip.mjs';

const SLUG = 'uji-penilaian-esai';
const TITLE = 'Uji Penilaian Esai';
const QUIZ = 'refleksi';
const ESSAY = 'Saya mengunci lemari arsip dan memakai kata sandi yang kuat.';

const files = {
  [`${SLUG}/course.toml`]: [
    `slug = "${SLUG}"`,
    `title = "${TITLE}"`,
    'summary = "Kursus uji untuk penilaian esai."',
    'category = "Uji Coba"',
    'level = "dasar"',
    'language = "id"',
    'jp = 1',
    'duration_minutes = 10',
    'visibility = "public"',
    'self_enrol = true',
    '',
    '[[quizzes]]',
    `file = "kuis/${QUIZ}.quiz.md"`,
    'role = "final"',
    '',
  ].join('\n'),
  [`${SLUG}/01-dasar/module.toml`]: 'title = "Dasar"\n',
  [`${SLUG}/01-dasar/01-pengantar.md`]: '---\ntitle: Pengantar\n---\n\n# Pengantar\n\nSatu pelajaran singkat.\n',
  [`${SLUG}/kuis/${QUIZ}.quiz.md`]: [
    '---',
    'title: Refleksi Uji Esai',
    'role: final',
    'pass_mark_percent: 50',
    'max_attempts: 2',
    'review:',
    '  immediately: score',
    '  after_close: feedback',
    '---',
    '',
    '## Ibu kota {#ibu-kota}',
    '',
    'Muara Bulian adalah ibu kota Kabupaten Batang Hari.',
    '',
    '- [x] Benar',
    '- [ ] Salah',
    '',
    '## Refleksi {#refleksi-esai type=essay points=4}',
    '',
    'Tuliskan satu langkah untuk melindungi data pribadi warga di unit kerja Anda.',
    '',
  ].join('\n'),
};

describe('Quiz results and essay grading in the browser', { skip: SKIP }, () => {
  const e2e = useServer({ demo: true });
  const { session, token, journey } = e2e;
  const apiCall = e2e.api;

  /** A learner enrols, answers (true/false and the essay) and submits. */
  async function takeQuiz(email, trueFalse, essay) {
    const tok = await token(email);
    await apiCall(tok, 'POST', `/api/v1/courses/${SLUG}/enrol`, {});
    const attempt = await apiCall(tok, 'POST', `/api/v1/courses/${SLUG}/quizzes/${QUIZ}/attempts`, {});
    const ids = attempt.questions.map((q) => q.id);
    const tf = attempt.questions.find((q) => q.kind.type === 'true_false').id;
    const es = attempt.questions.find((q) => q.kind.type === 'essay').id;
    assert.equal(ids.length, 2);
    await apiCall(tok, 'POST', `/api/v1/attempts/${attempt.id}/submit`, {
      responses: { [tf]: { type: 'true_false', value: trueFalse }, [es]: { type: 'essay', text: essay } },
    });
  }

  journey('instructor: lists attempts waiting for grading, grades an essay, reads the item statistics', async () => {
    const instructor = await token(DEMO.instructor);
    const imported = await apiCall(instructor, 'POST', '/api/v1/courses/import?format=zip', zip(files), 'application/zip');
    assert.ok(imported.import, `imported: ${JSON.stringify(imported.check?.problems ?? imported)}`);
    await takeQuiz(DEMO.learner, true, ESSAY);
    await takeQuiz(DEMO.learner2, false, 'Belum tahu.');

    const page = await session(DEMO.instructor);
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Pengajar' }).click();
    await page.getByRole('heading', { level: 1, name: 'Kursus saya (pengajar)' }).waitFor();
    await page.getByRole('link', { name: `Hasil kuis: ${TITLE}` }).click();
    await page.getByRole('heading', { level: 1, name: `Hasil kuis: ${SLUG}` }).waitFor();
    await page.getByLabel('Hanya yang menunggu penilaian').check();
    await page.waitForURL(/dinilai=1/);
    await page.getByTestId('attempt-row').filter({ hasText: 'Siti Aminah' }).waitFor();
    assert.equal(await page.getByTestId('attempt-row').count(), 2);
    // The statistics count graded attempts only: none yet, both wait for the essay's grade.
    await page.getByTestId('stats-attempts').getByText('0').waitFor();
    await checkA11y(page, 'quiz results');
    await shot(page, 'quiz-results');

    await page.getByRole('link', { name: 'Buka percobaan ke-1 Budi Santoso, S.Kom.' }).click();
    await page.getByRole('heading', { level: 1, name: `Kuis ${QUIZ}, percobaan ke-1` }).waitFor();
    await page.getByText(ESSAY).waitFor();
    await page.getByText('Menunggu penilaian').first().waitFor();
    const points = page.getByLabel('Poin (0–4)');
    await points.fill('5');
    await page.getByRole('button', { name: 'Simpan nilai' }).click();
    await page.getByText('Poin paling banyak 4.').waitFor();
    assert.equal(await points.getAttribute('aria-invalid'), 'true');
    await checkA11y(page, 'attempt with a grading problem');
    await points.fill('3,5');
    await page.getByLabel('Komentar untuk peserta').fill('Langkah yang tepat; jelaskan juga alasannya.');
    await page.getByRole('button', { name: 'Simpan nilai' }).click();
    await page.getByText('Nilai tersimpan.').waitFor();
    // 1 point for the true/false question and 3.5 for the essay, of 5.
    await page.getByTestId('attempt-score').getByText('4,5 dari 5 poin (90%)').waitFor();
    await checkA11y(page, 'graded attempt');
    await shot(page, 'attempt-graded');

    await page.getByRole('link', { name: 'Kembali ke hasil kuis' }).click();
    await page.getByRole('heading', { level: 1, name: `Hasil kuis: ${SLUG}` }).waitFor();
    await page.getByLabel('Hanya yang menunggu penilaian').check();
    await page.waitForURL(/dinilai=1/);
    await page.getByTestId('attempt-row').filter({ hasText: 'Budi Santoso' }).waitFor({ state: 'detached' });
    await page.getByTestId('attempt-row').filter({ hasText: 'Siti Aminah' }).waitFor();
    assert.equal(await page.getByTestId('attempt-row').count(), 1);
    // Budi's graded attempt now counts: the true/false question answered right by one of one.
    await page.getByTestId('stats-attempts').getByText('1').waitFor();
    const item = page.getByTestId('item-row').filter({ hasText: 'ibu-kota' });
    await item.getByRole('cell', { name: '100%' }).waitFor();
    await checkA11y(page, 'quiz results after grading');
  });

  journey('phone size: the results and grading pages fit 360 px and pass the accessibility check', async () => {
    const page = await session(DEMO.instructor, PHONE);
    await page.goto(`${e2e.server.baseUrl}/author/courses/${SLUG}/results`);
    await page.getByRole('heading', { level: 1, name: `Hasil kuis: ${SLUG}` }).waitFor();
    await page.getByTestId('attempt-row').first().waitFor();
    await page.waitForLoadState('networkidle');
    assert.ok((await overflow(page)) <= 0, 'the results page is wider than the phone screen');
    await checkA11y(page, 'quiz results (phone)');
    await shot(page, 'quiz-results');
    await page.getByRole('link', { name: /^Buka percobaan ke-1 Siti Aminah/ }).click();
    await page.getByRole('heading', { level: 1, name: `Kuis ${QUIZ}, percobaan ke-1` }).waitFor();
    await page.waitForLoadState('networkidle');
    assert.ok((await overflow(page)) <= 0, 'the attempt page is wider than the phone screen');
    await checkA11y(page, 'attempt (phone)');
    await shot(page, 'attempt');
  });
});
