// End-to-end journeys of learning, authoring and reporting, against `lentera serve --demo` (the
// demo accounts and the sample courses in content/): an instructor uploads a course (first with
// an error, shown at its file and line), edits a lesson with the live preview and publishes; a
// learner finds it, enrols, reads, completes lessons, passes the quiz and gets the certificate
// and JP; another learner downloads a course, completes a lesson and answers a quiz offline,
// and everything syncs once when back online; hr reads the reports and exports CSV. Every page
// is checked with axe-core and photographed at 1280×800 and 360×740.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe } from 'node:test';
import { BROKEN_LINE, courseFiles, QUIZ, SLUG, TITLE } from './course-fixture.mjs';
import { DEMO } from './harness.mjs';
import { checkA11y, shot, SKIP, useServer } from './helpers.mjs';
import { zip } from './zip.mjs';

const SAMPLE = 'keamanan-informasi-pdp';
const SAMPLE_LESSON = 'konsep-dasar';

describe('Learning, authoring and reports in the browser', { skip: SKIP }, () => {
  const e2e = useServer({ demo: true });
  const { signIn, session, token, journey } = e2e;
  const apiGet = (tok, path) => e2e.api(tok, 'GET', path);

  /** Waits until the service worker controls the page (it precaches the app for offline use). */
  async function controlled(page) {
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
      await page.reload();
      await page.getByRole('heading', { level: 1 }).waitFor();
    }
  }

  journey('author: an upload with an error shows file:line, the fixed one imports; a lesson is edited with preview and published', async () => {
    const page = await signIn(DEMO.instructor);
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Pengajar' }).click();
    await page.getByRole('heading', { level: 1, name: 'Kursus saya (pengajar)' }).waitFor();
    // The demo instructor teaches the sample courses.
    await page.getByText('Keamanan Informasi dan Pelindungan Data Pribadi', { exact: true }).waitFor();

    await page.getByLabel(/^Berkas kursus/).setInputFiles({ name: `${SLUG}.zip`, mimeType: 'application/zip', buffer: zip(courseFiles({ withError: true })) });
    await page.getByText('Kursus ditolak: 1 kesalahan ditemukan. Tidak ada yang diimpor.').waitFor();
    const rows = await page.locator('table.problems tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
    );
    assert.equal(rows.length, 1);
    assert.match(rows[0][0], new RegExp(`^01-dasar/01-pengantar\\.md:${BROKEN_LINE}:\\d+$`));
    assert.equal(rows[0][1], 'Kesalahan');
    assert.match(rows[0][2], /tidak-ada\.md/);
    await checkA11y(page, 'upload with a problem');
    await shot(page, 'author-upload-problem');

    await page.getByLabel(/^Berkas kursus/).setInputFiles({ name: `${SLUG}.zip`, mimeType: 'application/zip', buffer: zip(courseFiles()) });
    await page.getByText(`Pemeriksaan berhasil: "${TITLE}" dari ${SLUG}.zip siap diimpor.`).waitFor();
    await page.getByRole('button', { name: 'Impor kursus' }).click();
    await page.getByText(`Kursus "${TITLE}" telah diimpor.`).waitFor();
    await page.getByRole('link', { name: `Ubah pelajaran: ${TITLE}` }).waitFor();
    await shot(page, 'author');

    // The lesson editor: a broken image is reported at its line; the fixed text previews and publishes.
    await page.getByRole('link', { name: `Ubah pelajaran: ${TITLE}` }).click();
    await page.getByRole('heading', { level: 1, name: `Ubah kursus ${SLUG}` }).waitFor();
    await page.getByLabel('Berkas', { exact: true }).selectOption('01-dasar/01-pengantar.md');
    const editor = page.getByLabel('Isi berkas 01-dasar/01-pengantar.md');
    const original = await editor.inputValue();
    const broken = original.replace('# Pengantar\n', '# Pengantar\n\n![Diagram](gambar/tidak-ada.png)\n');
    await editor.fill(broken);
    const brokenLine = broken.split('\n').findIndex((l) => l.includes('tidak-ada.png')) + 1;
    await page.getByRole('button', { name: new RegExp(`^baris ${brokenLine}:`) }).waitFor();
    await page.getByText('1 masalah dalam pelajaran ini').waitFor();
    await checkA11y(page, 'editor with a problem');
    await shot(page, 'editor-problem');
    await editor.fill(original.replace('Pelajaran pertama kursus uji coba.', 'Pelajaran pertama kursus uji coba. Diperbarui di peramban.'));
    await page.getByText('Tidak ada masalah.').waitFor();
    await page.getByRole('region', { name: 'Hasil pratinjau pelajaran' }).getByText('Diperbarui di peramban.').waitFor();
    await page.getByRole('button', { name: 'Terbitkan' }).click();
    await page.getByText('Versi 2 telah diterbitkan.').waitFor();
    await checkA11y(page, 'editor');
    await shot(page, 'editor');
  });

  journey('learn: search, enrol, read, complete lessons, pass the quiz; progress, certificate and JP follow', async () => {
    const page = await signIn(DEMO.learner);
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Kursus' }).click();
    await page.getByRole('heading', { level: 1, name: 'Katalog kursus' }).waitFor();
    await page.getByText('4 kursus', { exact: true }).waitFor();
    await checkA11y(page, 'catalogue');
    await shot(page, 'catalogue');

    // Search as one types (debounced), kept in the address.
    await page.getByLabel('Cari kursus').fill('uji coba');
    await page.waitForURL(/q=uji\+coba|q=uji%20coba/);
    await page.getByText('1 kursus', { exact: true }).waitFor();
    await page.getByLabel('Tingkat').selectOption('lanjut');
    await page.getByText('Tidak ada kursus yang cocok dengan pencarian ini.').waitFor();
    await page.getByLabel('Tingkat').selectOption('dasar');
    await page.getByText('1 kursus', { exact: true }).waitFor();
    await page.getByLabel('Wajib untuk saya').check();
    await page.getByText('Tidak ada kursus yang cocok dengan pencarian ini.').waitFor();
    await page.getByLabel('Wajib untuk saya').uncheck();
    await page.getByRole('link', { name: TITLE }).click();

    await page.getByRole('heading', { level: 1, name: TITLE }).waitFor();
    await page.getByRole('button', { name: 'Daftar kursus' }).click();
    await page.getByText('Anda terdaftar di kursus ini.', { exact: false }).waitFor();
    await page.getByText('0 dari 2 pelajaran selesai').waitFor();
    await checkA11y(page, 'course page');
    await shot(page, 'course');

    await page.getByRole('link', { name: 'Mulai belajar' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pengantar Uji Coba' }).waitFor();
    // The published edit, the table of contents, maths as TeX, the table wrapped to scroll.
    await page.getByText('Diperbarui di peramban.').waitFor();
    await page.getByRole('complementary', { name: 'Daftar isi' }).getByRole('link', { name: 'Tabel contoh' }).waitFor();
    assert.equal(await page.locator('.lesson-content .math-inline').count(), 1);
    assert.equal(await page.locator('.lesson-content .table-scroll table').count(), 1);
    await checkA11y(page, 'lesson');
    await shot(page, 'lesson');
    await page.getByRole('button', { name: 'Tandai selesai' }).click();
    await page.getByText('Pelajaran ditandai selesai.').waitFor();

    // A link inside the lesson routes in the app (no reload): the window keeps a marker.
    await page.evaluate(() => (window.__spa = true));
    await page.locator('.lesson-content').getByRole('link', { name: 'pelajaran berikutnya' }).click();
    await page.getByRole('heading', { level: 1, name: 'Lanjutan Uji Coba' }).waitFor();
    assert.equal(await page.evaluate(() => window.__spa), true, 'the lesson link routed client-side');
    assert.ok((await page.locator('.lesson-content pre .hl-keyword, .lesson-content pre [class*="hl-"]').count()) > 0, 'code is highlighted');
    await page.getByRole('button', { name: 'Tandai selesai' }).click();
    await page.getByText('Pelajaran ditandai selesai.').waitFor();

    // Both completions reached the server.
    const tok = await token(DEMO.learner);
    let progress;
    for (let i = 0; i < 40; i++) {
      progress = await apiGet(tok, `/api/v1/courses/${SLUG}/progress`);
      if (progress.completed_lessons.length === 2) break;
      await page.waitForTimeout(250);
    }
    assert.deepEqual([...progress.completed_lessons].sort(), ['lanjutan', 'pengantar']);
    await page.getByRole('banner').getByText(/belum tersinkron/).waitFor({ state: 'detached' });

    // The quiz link in the lesson; one true/false question; untimed.
    await page.locator('.lesson-content').getByRole('link', { name: 'kuis akhir' }).click();
    await page.getByRole('heading', { level: 1, name: 'Kuis Akhir Uji Coba' }).waitFor();
    await checkA11y(page, 'quiz overview');
    await page.getByRole('button', { name: 'Mulai kuis' }).click();
    await page.getByRole('radio', { name: 'Benar' }).check();
    await page.getByTestId('save-state').getByText(/^Tersimpan/).waitFor();
    await checkA11y(page, 'quiz attempt');
    await shot(page, 'quiz');
    await page.getByRole('button', { name: 'Kumpulkan jawaban' }).click();
    await page.getByRole('dialog', { name: 'Kumpulkan jawaban?' }).getByRole('button', { name: 'Kumpulkan jawaban' }).click();
    await page.getByRole('heading', { name: 'Hasil percobaan 1' }).waitFor();
    assert.match(await page.getByTestId('quiz-score').innerText(), /100%/);
    await page.getByText('Lulus', { exact: true }).waitFor();
    await checkA11y(page, 'quiz result');
    await shot(page, 'quiz-result');

    // Back on the course page: every tick, 100 %, completed.
    await page.goto(`${e2e.server.baseUrl}/courses/${SLUG}`);
    await page.getByText('2 dari 2 pelajaran selesai').waitFor();
    await page.getByText(/^Selesai pada /).waitFor();
    assert.equal(await page.locator('.lessons li.done').count(), 2);

    // The dashboard: the certificate (PDF) and the JP of the year.
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Beranda' }).click();
    await page.getByTestId('jp-label').getByText('2 / 20 JP').waitFor();
    const cert = page.getByRole('region', { name: 'Sertifikat' });
    await cert.getByText(TITLE).waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), cert.getByRole('button', { name: `Unduh PDF: ${TITLE}` }).click()]);
    assert.match(download.suggestedFilename(), /^sertifikat-.*\.pdf$/);
    const pdf = readFileSync(await download.path());
    assert.equal(pdf.subarray(0, 5).toString(), '%PDF-');
    await checkA11y(page, 'dashboard');
    await shot(page, 'dashboard');
    const certs = await apiGet(tok, '/api/v1/me/certificates');
    assert.equal(certs.length, 1);
    assert.equal((await apiGet(tok, '/api/v1/me/jp')).summary.earned, 2);
  });

  journey('offline: download a course, complete a lesson and answer a quiz offline; it syncs once when back', async () => {
    const page = await signIn(DEMO.learner2);
    const context = page.context();
    await controlled(page);

    // The sample course, downloaded whole.
    await page.goto(`${e2e.server.baseUrl}/courses/${SAMPLE}`);
    await page.getByRole('button', { name: 'Daftar kursus' }).click();
    await page.getByRole('button', { name: 'Unduh untuk luring' }).click();
    await page.getByText('Kursus tersimpan di perangkat ini dan dapat dibaca tanpa internet.').waitFor();
    await page.getByText('Tersedia luring').waitFor();
    // The small course too, with its (untimed) quiz started while online.
    await page.goto(`${e2e.server.baseUrl}/courses/${SLUG}`);
    await page.getByRole('button', { name: 'Daftar kursus' }).click();
    await page.getByText('0 dari 2 pelajaran selesai').waitFor();
    await page.goto(`${e2e.server.baseUrl}/courses/${SLUG}/quizzes/${QUIZ}`);
    await page.getByRole('button', { name: 'Mulai kuis' }).click();
    await page.getByRole('radio', { name: 'Benar' }).waitFor();

    const tok = await token(DEMO.learner2);
    const before = await apiGet(tok, `/api/v1/courses/${SAMPLE}/progress`);
    assert.deepEqual(before.completed_lessons, []);

    await context.setOffline(true);
    try {
      // The quiz: answered and submitted offline; kept on the device.
      await page.getByRole('radio', { name: 'Benar' }).check();
      await page.getByTestId('save-state').getByText('Tersimpan di perangkat (luring)').waitFor();
      await page.getByRole('button', { name: 'Kumpulkan jawaban' }).click();
      await page.getByRole('dialog', { name: 'Kumpulkan jawaban?' }).getByRole('button', { name: 'Kumpulkan jawaban' }).click();
      await page.getByText('Jawaban disimpan di perangkat ini').waitFor();

      // A lesson of the downloaded course opens with no network (the app from the service
      // worker, the lesson from IndexedDB, its images from the asset cache).
      await page.goto(`${e2e.server.baseUrl}/courses/${SAMPLE}/lessons/${SAMPLE_LESSON}`);
      await page.getByRole('heading', { level: 1, name: /^Konsep Dasar Keamanan Informasi/ }).waitFor();
      await page.getByText('Anda sedang luring: ini salinan yang tersimpan di perangkat.', { exact: false }).waitFor();
      const images = await page.locator('.lesson-content img').evaluateAll((imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0));
      assert.ok(images.length > 0 && images.every(Boolean), `lesson images load offline (${images})`);
      await shot(page, 'lesson-offline');
      await page.getByRole('button', { name: 'Tandai selesai' }).click();
      await page.getByText('Pelajaran ditandai selesai.').waitFor();
      await page.getByRole('banner').getByText('1 belum tersinkron').waitFor();
      await page.getByRole('banner').getByText('Luring').waitFor();
      await checkA11y(page, 'lesson offline');
      // The course page, from the device, already shows the tick.
      await page.getByRole('navigation', { name: 'Lokasi halaman' }).getByRole('link').first().click();
      await page.getByText('1 dari 7 pelajaran selesai').waitFor();
      // (Leaving the lesson added its reading time to what waits.)
      await page.getByRole('banner').getByText(/\d+ belum tersinkron/).waitFor();
      // Nothing reached the server meanwhile.
      assert.deepEqual((await apiGet(tok, `/api/v1/courses/${SAMPLE}/progress`)).completed_lessons, []);
    } finally {
      await context.setOffline(false);
    }

    // Back online: the outbox and the quiz answers are sent by themselves.
    await page.getByRole('banner').getByText(/belum tersinkron/).waitFor({ state: 'detached', timeout: 30_000 });
    let after;
    for (let i = 0; i < 60; i++) {
      after = await apiGet(tok, `/api/v1/courses/${SAMPLE}/progress`);
      if (after.completed_lessons.length > 0) break;
      await page.waitForTimeout(250);
    }
    assert.deepEqual(after.completed_lessons, [SAMPLE_LESSON], 'the completion made offline is on the server, once');
    assert.ok(after.percent_complete > 0);
    let quiz;
    for (let i = 0; i < 60; i++) {
      quiz = await apiGet(tok, `/api/v1/courses/${SLUG}/quizzes/${QUIZ}`);
      if (quiz.my.attempts.some((a) => a.state === 'submitted')) break;
      await page.waitForTimeout(250);
    }
    assert.equal(quiz.my.attempts.length, 1);
    assert.equal(quiz.my.attempts[0].state, 'submitted', 'the attempt answered offline was submitted');
    // Reloading sends nothing twice.
    await page.reload();
    await page.getByText('1 dari 7 pelajaran selesai').waitFor();
    assert.deepEqual((await apiGet(tok, `/api/v1/courses/${SAMPLE}/progress`)).completed_lessons, [SAMPLE_LESSON]);
  });

  journey('hr: the reports show figures and the CSV export downloads', async () => {
    const page = await signIn(DEMO.hr);
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Laporan' }).click();
    await page.getByRole('heading', { level: 1, name: 'Laporan' }).waitFor();
    await page.getByRole('heading', { level: 2, name: /^Pemenuhan JP tahun \d{4}$/ }).waitFor();
    const learners = Number((await page.getByTestId('jp-learners').innerText()).replace(/\D/g, ''));
    assert.ok(learners >= 5, `the demo ASN are counted (${learners})`);
    await page.getByRole('list', { name: 'Persentase ASN yang memenuhi target JP per OPD' }).getByText('Dinas Kesehatan').waitFor();
    const perCourse = page.getByRole('region', { name: 'Penyelesaian per kursus' });
    await perCourse.getByText(TITLE).waitFor();
    await page.getByRole('region', { name: 'Daftar penyelesaian' }).getByText('Budi Santoso, S.Kom.').first().waitFor();
    // The trend chart: this month (Jakarta) holds the completion of the learning journey; its
    // figures are also a table for screen readers.
    const trend = page.getByRole('table', { name: /^Pendaftaran dan penyelesaian per bulan, \d{4}$/ });
    const month = new Intl.DateTimeFormat('id-ID', { month: 'short', timeZone: 'Asia/Jakarta' }).format(new Date());
    const thisMonth = trend.getByRole('row').filter({ has: page.getByRole('rowheader', { name: month, exact: true }) });
    const completedThisMonth = Number((await thisMonth.getByRole('cell').nth(1).textContent()).replace(/\D/g, ''));
    assert.ok(completedThisMonth >= 1, `a completion this month (${completedThisMonth})`);
    await page.getByRole('list', { name: 'Pendaftaran per kursus' }).getByText(TITLE).waitFor();
    await checkA11y(page, 'reports');
    await shot(page, 'reports');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'CSV — Penyelesaian per OPD' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), 'laporan-per-opd.csv');
    const csv = readFileSync(await download.path(), 'utf8').replace(/^\ufeff/, '');
    assert.match(csv.split(/\r?\n/)[0], /^Nama[,;]Terdaftar/);
    assert.match(csv, /Dinas Komunikasi dan Informatika/);
    await page.getByText('Berkas laporan-per-opd.csv telah diunduh.').waitFor();
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Excel (XLSX) — ASN yang belum memenuhi target JP' }).click()]);
    assert.match(xlsx.suggestedFilename(), /\.xlsx$/);
    assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK');
  });

  journey('phone size: the learning pages fit 360 px and pass the accessibility check', async () => {
    for (const [path, heading, name] of [
      ['/', /^Selamat datang/, 'dashboard'],
      ['/courses', 'Katalog kursus', 'catalogue'],
      [`/courses/${SAMPLE}`, 'Keamanan Informasi dan Pelindungan Data Pribadi', 'course'],
      [`/courses/${SLUG}`, TITLE, 'course-done'],
      [`/courses/${SLUG}/lessons/pengantar`, 'Pengantar Uji Coba', 'lesson'],
      [`/courses/${SLUG}/quizzes/${QUIZ}`, 'Kuis Akhir Uji Coba', 'quiz'],
    ]) {
      await e2e.phoneCheck(DEMO.learner, path, heading, name);
    }
    const staff = [
      [DEMO.hr, '/reports', 'Laporan', 'reports'],
      [DEMO.instructor, '/author', 'Kursus saya (pengajar)', 'author'],
      [DEMO.instructor, `/author/courses/${SLUG}`, `Ubah kursus ${SLUG}`, 'editor'],
    ];
    for (const [who, path, heading, name] of staff) {
      await e2e.phoneCheck(who, path, heading, name);
    }
  });
});
