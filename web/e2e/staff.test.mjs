// End-to-end journeys of the staff pages, against `lentera serve --demo` with an SMTP server
// that refuses every message (so the outbox has failed mail to retry):
// - hr changes a programme's courses before its first cohort, opens a cohort and assigns it to a
//   learner picked by name; the learner sees the new course in their programme;
// - the instructor imports GIFT into a course's question bank (an error by its line, then the
//   fixed file with its warning), edits a question's answer key, and regrades a quiz drawn from
//   the bank: the learner's score changes;
// - hr opens a learner's JP and progress from the users list; an officer of another OPD cannot;
// - hr pairs the mentor with a mentee; the mentor sees that mentee and not others; hr ends the
//   pairing from the list of pairs and the mentee leaves the mentor's page;
// - the admin edits a message template (an unknown name refused at its field, then saved with
//   the server's preview, then back to the built-in) and retries a failed e-mail in the outbox.
// Every page is checked with axe-core and photographed at 1280×800 and 360×740.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe } from 'node:test';
import { DEMO } from './harness.mjs';
import { checkA11y, jakartaDate, overflow, shot, SKIP, useServer } from './helpers.mjs';

const PDP = 'keamanan-informasi-pdp';
const PDP_TITLE = 'Keamanan Informasi dan Pelindungan Data Pribadi';
const SPBE = 'Layanan Publik Digital dan SPBE';
const PROGRAMME = 'Orientasi ASN Baru 2026';
const COHORT = 'Angkatan Uji';
const BUDI = 'Budi Santoso, S.Kom.';
const SITI = 'Siti Aminah, A.Md.Kep.';
const MENTOR = 'Ir. Syafrizal, M.T.';
const BANK_QUIZ = 'kuis-bank-uji';

// A broken GIFT file (line 4: an unclosed brace), then the fixed one (line 7: a construct GIFT
// does not know, a warning only).
const BAD_GIFT = [
  '// [id:ibu-kota]',
  '::Ibu kota:: Ibu kota Kabupaten Batang Hari adalah {=Muara Bulian ~Muara Tembesi ~Jambi}',
  '',
  '::Tahun:: Tahun berapa Kabupaten Batang Hari berdiri? {=1948 ~1950',
  '',
].join('\n');
const GOOD_GIFT = [
  '// [id:ibu-kota]',
  '::Ibu kota:: Ibu kota Kabupaten Batang Hari adalah {=Muara Bulian ~Muara Tembesi ~Jambi}',
  '',
  '// [id:nip-data-pribadi]',
  '::NIP data pribadi:: NIP memuat tanggal lahir dan jenis kelamin. {T}',
  '',
  '$QUESTION: tidak dikenal',
  '',
].join('\n');

/** An SMTP server that refuses every message permanently (550), as a misconfigured relay would. */
function refusingSmtp() {
  return new Promise((ok) => {
    const srv = createServer((socket) => {
      socket.write('220 uji ESMTP\r\n');
      let buf = '';
      socket.on('data', (d) => {
        buf += d.toString('latin1');
        let i;
        while ((i = buf.indexOf('\r\n')) >= 0) {
          const line = buf.slice(0, i).toUpperCase();
          buf = buf.slice(i + 2);
          if (line.startsWith('EHLO') || line.startsWith('HELO')) socket.write('250 uji\r\n');
          else if (line.startsWith('MAIL')) socket.write('550 5.7.1 pengiriman ditolak\r\n');
          else if (line.startsWith('QUIT')) socket.end('221 bye\r\n');
          else socket.write('250 OK\r\n');
        }
      });
      socket.on('error', () => {});
    });
    srv.listen(0, '127.0.0.1', () => ok(srv));
  });
}

const smtp = SKIP ? null : await refusingSmtp();

/** A name at the start of an accessible name (the picker's buttons add NIP and OPD after it). */
const startsWith = (text) => new RegExp(`^${text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`);

/** The trimmed text of each cell of each body row of a table. */
const cells = (table) => table.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));

describe('Staff pages in the browser', { skip: SKIP }, () => {
  const e2e = useServer({
    demo: true,
    env: () => ({
      LENTERA_SMTP__HOST: '127.0.0.1',
      LENTERA_SMTP__PORT: String(smtp.address().port),
      LENTERA_SMTP__SECURITY: 'none',
      LENTERA_NOTIFICATIONS__INTERVAL_SECS: '1',
      LENTERA_NOTIFICATIONS__MAX_ATTEMPTS: '1',
    }),
  });
  const { session, token, journey, api } = e2e;
  after(() => smtp?.close());
  const nav = (page) => page.getByRole('navigation', { name: 'Navigasi utama' });
  let cohortPath = null;

  journey("hr programme: changes the courses before the first cohort, assigns a learner picked by name; the learner sees the new course", async () => {
    const hr = await token(DEMO.hr);
    const created = await api(hr, 'POST', '/api/v1/programmes', { title: PROGRAMME, courses: [{ course: PDP }] });
    const page = await session(DEMO.hr);
    await page.goto(`${e2e.server.baseUrl}/hr/programmes/${created.id}`);
    await page.getByRole('heading', { level: 1, name: PROGRAMME }).waitFor();

    // Add the SPBE course, make it first, and save: the programme's courses and JP follow.
    await page.getByRole('button', { name: 'Ubah daftar kursus' }).click();
    await page.getByLabel('Tambah kursus').selectOption({ label: `${SPBE} (6 JP)` });
    await page.getByRole('button', { name: 'Tambahkan', exact: true }).click();
    await page.getByRole('button', { name: `Naikkan ${SPBE}` }).click();
    await page.getByText('JP program dihitung ulang dari kursusnya: 11 JP.').waitFor();
    // The officer's bar, one link longer now, still fits 1280 px.
    assert.ok((await overflow(page)) <= 0, "hr's page is wider than 1280 px");
    await checkA11y(page, 'programme courses editor');
    await shot(page, 'programme-courses');
    await page.getByRole('button', { name: 'Simpan daftar kursus' }).click();
    await page.getByText('Daftar kursus tersimpan.').waitFor();
    const courses = page.getByRole('region', { name: 'Kursus' }).getByRole('listitem');
    assert.deepEqual((await courses.allTextContents()).map((s) => s.split('Wajib')[0].trim()), [SPBE, PDP_TITLE]);
    const saved = await api(hr, 'GET', `/api/v1/programmes/${created.id}`);
    assert.deepEqual(saved.courses.map((c) => c.title), [SPBE, PDP_TITLE]);
    assert.equal(saved.jp, 11);

    // A cohort locks the courses.
    await page.getByLabel(/^Nama angkatan/).fill(COHORT);
    await page.getByLabel(/^Mulai/).fill(jakartaDate(0));
    await page.getByLabel(/^Selesai/).fill(jakartaDate(30));
    await page.getByRole('button', { name: 'Tambah angkatan' }).click();
    await page.getByRole('heading', { level: 1, name: `${PROGRAMME}: ${COHORT}` }).waitFor();
    cohortPath = new URL(page.url()).pathname;

    // Assign one learner picked by name.
    await page.getByLabel('Tugaskan kepada').selectOption('users');
    await page.getByRole('button', { name: 'Tugaskan', exact: true }).click();
    await page.getByText('Pilih sedikitnya satu orang.').first().waitFor();
    await page.getByLabel('Cari pegawai').fill('Budi');
    await page.getByLabel('Cari pegawai').press('Enter');
    await page.getByRole('button', { name: startsWith(BUDI) }).click();
    await page.getByRole('button', { name: `Hapus ${BUDI} dari pilihan` }).waitFor();
    await checkA11y(page, 'cohort with the user picker');
    await shot(page, 'cohort-picker');
    await page.getByRole('button', { name: 'Tugaskan', exact: true }).click();
    await page.getByText('Penugasan selesai: 1 pegawai baru ditugaskan.').waitFor();
    await page.getByText(`Pegawai: ${BUDI}`).waitFor();
    assert.equal(await page.getByTestId('cohort-members').textContent(), '1');

    // Back on the programme, its courses can no longer change.
    await page.goto(`${e2e.server.baseUrl}/hr/programmes/${created.id}`);
    await page.getByText('Daftar kursus tidak dapat diubah setelah ada angkatan', { exact: false }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Ubah daftar kursus' }).count(), 0);

    // The learner's programme lists the course added.
    const budi = await session(DEMO.learner);
    await budi.goto(`${e2e.server.baseUrl}/programmes`);
    await budi.getByRole('heading', { level: 1, name: 'Program saya' }).waitFor();
    await budi.getByText(PROGRAMME).first().waitFor();
    await budi.getByRole('link', { name: SPBE }).first().waitFor();
    const mine = await api(await token(DEMO.learner), 'GET', '/api/v1/me/programmes');
    assert.deepEqual(mine.items.find((p) => p.title === PROGRAMME).courses.map((c) => c.title), [SPBE, PDP_TITLE]);
  });

  journey('instructor bank: a GIFT error by line, the fixed file with its warning; a question edited and a quiz regraded', async () => {
    const page = await session(DEMO.instructor);
    await page.goto(`${e2e.server.baseUrl}/author`);
    await page.getByRole('link', { name: `Bank soal: ${PDP_TITLE}` }).click();
    await page.getByRole('heading', { level: 1, name: `Bank soal: ${PDP}` }).waitFor();
    await page.getByText('Bank soal masih kosong.', { exact: false }).waitFor();

    const gift = (text) => ({ name: 'soal.gift', mimeType: 'text/plain', buffer: Buffer.from(text) });
    await page.getByLabel('Berkas soal (.txt, .gift)').setInputFiles(gift(BAD_GIFT));
    await page.getByRole('button', { name: 'Periksa berkas' }).click();
    await page.getByText('Berkas ditolak karena ada kesalahan', { exact: false }).waitFor();
    const rows = await cells(page.getByTestId('bank-file-problems'));
    assert.equal(rows.length, 1);
    assert.match(rows[0][0], /^baris 4:\d+$/);
    assert.equal(rows[0][1], 'Kesalahan');
    await checkA11y(page, 'bank import with an error');
    await shot(page, 'bank-import-error');

    await page.getByLabel('Berkas soal (.txt, .gift)').setInputFiles(gift(GOOD_GIFT));
    await page.getByLabel('Kategori untuk soal tanpa kategori').fill('Wilayah');
    await page.getByRole('button', { name: 'Impor ke bank soal' }).click();
    await page.getByText('Berkas diimpor. Baru: 2, diperbarui: 0, tidak berubah: 0.').waitFor();
    assert.match((await cells(page.getByTestId('bank-warnings')))[0][0], /^baris 7(:\d+)?$/);
    await page.getByTestId('bank-question').nth(1).waitFor();
    assert.equal(await page.getByTestId('bank-question').count(), 2);

    // A quiz drawn from the bank; the learner answers "false" (wrong by the key).
    const instructor = await token(DEMO.instructor);
    await api(instructor, 'PUT', `/api/v1/courses/${PDP}/quizzes/${BANK_QUIZ}`, {
      title: 'Kuis Bank Uji',
      max_attempts: 3,
      pass_mark_percent: 50,
      sections: [{ type: 'fixed', questions: ['nip-data-pribadi'] }],
    });
    const learner = await token(DEMO.learner);
    await api(learner, 'POST', `/api/v1/courses/${PDP}/enrol`, {}).catch(() => null);
    const attempt = await api(learner, 'POST', `/api/v1/courses/${PDP}/quizzes/${BANK_QUIZ}/attempts`, {});
    await api(learner, 'POST', `/api/v1/attempts/${attempt.id}/submit`, {
      responses: { [attempt.questions[0].id]: { type: 'true_false', value: false } },
    });
    assert.equal((await api(instructor, 'GET', `/api/v1/attempts/${attempt.id}`)).grade.percent, 0);

    // The instructor corrects the key: the statement is false after all.
    await page.getByRole('button', { name: 'Ubah soal NIP data pribadi' }).click();
    await page.getByRole('heading', { level: 2, name: 'Ubah soal: NIP data pribadi' }).waitFor();
    await page.getByLabel(/^Poin/).fill('dua');
    await page.getByRole('button', { name: 'Simpan soal' }).click();
    await page.getByText('Isi poin dengan angka 0 atau lebih.').waitFor();
    await page.getByLabel(/^Poin/).fill('2');
    await page.getByRole('radio', { name: 'Salah' }).check();
    await checkA11y(page, 'bank question editor');
    await shot(page, 'bank-edit');
    await page.getByRole('button', { name: 'Simpan soal' }).click();
    await page.getByText('Soal tersimpan (revisi 2).').waitFor();
    const bank = await api(instructor, 'GET', `/api/v1/courses/${PDP}/bank`);
    const edited = bank.find((q) => q.id === 'nip-data-pribadi');
    assert.equal(edited.question.kind.correct, false);
    assert.equal(edited.question.default_points, 2);
    assert.equal(edited.revision, 2);

    // Regrade: checked first (nothing stored), then applied; the score goes from 0% to 100%.
    await page.getByRole('link', { name: 'Hasil kuis' }).first().click();
    await page.getByRole('heading', { level: 1, name: `Hasil kuis: ${PDP}` }).waitFor();
    await page.getByLabel('Kuis', { exact: true }).selectOption({ label: 'Kuis Bank Uji' });
    await page.getByRole('button', { name: 'Periksa perubahan' }).click();
    await page.getByText('Pemeriksaan (belum ada yang diubah)').waitFor();
    await page.getByText('1 dari 1 percobaan akan dinilai ulang: 1 naik, 0 turun', { exact: false }).waitFor();
    assert.equal((await api(instructor, 'GET', `/api/v1/attempts/${attempt.id}`)).grade.percent, 0, 'a check stores nothing');
    await page.getByRole('button', { name: 'Nilai ulang sekarang' }).click();
    await page.getByText('Penilaian ulang selesai').waitFor();
    const [row] = await cells(page.getByTestId('regrade-table'));
    assert.deepEqual(row.slice(1), ['0%', '100%', 'Belum lulus → Lulus']);
    await checkA11y(page, 'results with a regrade');
    await shot(page, 'regrade');
    assert.equal((await api(instructor, 'GET', `/api/v1/attempts/${attempt.id}`)).grade.percent, 100);
  });

  journey("hr learner page: Budi's JP and courses from the users list; another OPD's officer gets not found", async () => {
    const page = await session(DEMO.hr);
    await page.goto(`${e2e.server.baseUrl}/users?q=Budi`);
    await page.getByRole('link', { name: `JP dan kemajuan ${BUDI}` }).click();
    await page.getByRole('heading', { level: 1, name: BUDI }).waitFor();
    assert.match(await page.getByTestId('learner-jp').textContent(), /0 \/ 20 JP\s*—\s*kurang 20 JP dari target/);
    await page.getByTestId('learner-course').first().waitFor();
    const rows = await page.getByTestId('learner-course').allTextContents();
    assert.ok(rows.some((r) => r.includes(SPBE) && r.includes('Wajib')), `SPBE assigned by the programme: ${rows}`);
    assert.ok(rows.some((r) => r.includes(PDP_TITLE)), `the course Budi enrolled in: ${rows}`);
    await checkA11y(page, 'learner page');
    await shot(page, 'learner');

    const scoped = await session('hr.dinkes@lentera.test');
    await scoped.goto(page.url());
    await scoped.getByRole('alert').first().waitFor();
    assert.match(await scoped.getByRole('alert').first().textContent(), /tidak ditemukan/);
    assert.equal(await scoped.getByTestId('learner-jp').count(), 0);
  });

  journey('mentoring: hr pairs the mentor with Budi; the mentor sees Budi and not Siti; hr ends the pairing', async () => {
    const page = await session(DEMO.hr);
    await nav(page).getByRole('link', { name: 'Mentoring', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Pasangkan mentor dan mentee' }).waitFor();
    await page.getByRole('button', { name: 'Pasangkan' }).click();
    await page.getByText('Pilih mentornya.').waitFor();

    await page.getByLabel('Mentor', { exact: true }).fill('');
    await page.getByLabel('Mentor', { exact: true }).press('Enter');
    // Only mentors are offered as mentors.
    await page.getByRole('button', { name: startsWith(MENTOR) }).waitFor();
    assert.equal(await page.getByRole('list', { name: 'Hasil pencarian' }).first().getByRole('button').count(), 1);
    await page.getByRole('button', { name: startsWith(MENTOR) }).click();
    await page.getByLabel('Mentee', { exact: true }).fill('Budi');
    await page.getByLabel('Mentee', { exact: true }).press('Enter');
    await page.getByRole('button', { name: startsWith(BUDI) }).click();
    await checkA11y(page, 'mentoring pairing');
    await page.getByRole('button', { name: 'Pasangkan' }).click();
    await page.getByText(`${BUDI} kini dibimbing ${MENTOR}.`).waitFor();
    // The new pair is listed with an "end" button.
    const endBudi = page.getByRole('button', { name: `Akhiri pasangan ${MENTOR} dan ${BUDI}` });
    await endBudi.waitFor();
    const pairs = await page.getByTestId('pairs').textContent();
    assert.ok(pairs.includes(MENTOR) && pairs.includes(BUDI) && !pairs.includes(SITI), pairs);
    await checkA11y(page, 'mentoring pairs');
    await shot(page, 'mentoring');

    const mentor = await session(DEMO.mentor);
    await nav(mentor).getByRole('link', { name: 'Mentee saya' }).click();
    await mentor.getByRole('heading', { level: 1, name: 'Mentee saya' }).waitFor();
    assert.equal(await mentor.getByTestId('mentee-count').textContent(), '1');
    const below = await mentor.getByTestId('mentees-below').textContent();
    assert.ok(below.includes(BUDI), below);
    const list = await mentor.getByTestId('mentee-list').textContent();
    assert.ok(list.includes(BUDI) && /JP/.test(list), list);
    const text = await mentor.locator('main').textContent();
    assert.ok(!text.includes(SITI) && !text.includes(MENTOR), 'only the mentee is shown');
    await checkA11y(mentor, 'mentees');
    await shot(mentor, 'mentees');

    // hr ends the pairing: it leaves the list, and Budi leaves the mentor's page.
    await endBudi.click();
    await page.getByText(`Pasangan ${MENTOR} dan ${BUDI} diakhiri.`, { exact: false }).waitFor();
    assert.equal(await endBudi.count(), 0);
    await mentor.reload();
    await mentor.getByText('Anda belum memiliki mentee.', { exact: false }).waitFor();
    assert.ok(!(await mentor.locator('main').textContent()).includes(BUDI), 'the ended pair is gone');
    // Learners do not get the page.
    assert.equal(await nav(await session(DEMO.learner)).getByRole('link', { name: 'Mentee saya' }).count(), 0);
  });

  journey('admin e-mail: a template refused at its field, saved with a preview, back to built-in; a failed e-mail retried', async () => {
    const page = await session(DEMO.admin);
    await nav(page).getByRole('link', { name: 'Email', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Templat pesan' }).waitFor();
    await page.getByRole('button', { name: 'Ubah templat Penugasan program pelatihan (Bahasa Indonesia)' }).click();
    await page.getByRole('heading', { level: 2, name: 'Ubah templat: Penugasan program pelatihan (Bahasa Indonesia)' }).waitFor();

    await page.getByLabel('Subjek', { exact: true }).fill('Tugas baru: {{ nama_program }}');
    await page.getByRole('button', { name: 'Periksa dan simpan' }).click();
    await page.getByText('Templat tidak dapat dibuat; lihat kesalahan di kolomnya.', { exact: false }).waitFor();
    assert.equal(await page.getByLabel('Subjek', { exact: true }).getAttribute('aria-invalid'), 'true');
    assert.ok((await overflow(page)) <= 0, "the admin's page is wider than 1280 px");
    await checkA11y(page, 'template with an error');

    await page.getByLabel('Subjek', { exact: true }).fill('Tugas baru: {{ programme }}');
    await page.getByRole('button', { name: 'Periksa dan simpan' }).click();
    await page.getByText('Templat Penugasan program pelatihan (Bahasa Indonesia) tersimpan.').waitFor();
    assert.match(await page.getByTestId('preview-subject').textContent(), /^Tugas baru: \S/);
    await shot(page, 'templates');
    const admin = await token(DEMO.admin);
    const stored = (await api(admin, 'GET', '/api/v1/admin/notification-templates')).find((x) => x.kind === 'programme_assigned' && x.language === 'id');
    assert.equal(stored.overridden, true);
    assert.equal(stored.template.subject, 'Tugas baru: {{ programme }}');

    await page.getByRole('button', { name: 'Kembalikan ke bawaan' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Kembalikan ke bawaan' }).click();
    await page.getByText('Templat Penugasan program pelatihan (Bahasa Indonesia) kembali ke bawaan.').waitFor();
    const back = (await api(admin, 'GET', '/api/v1/admin/notification-templates')).find((x) => x.kind === 'programme_assigned' && x.language === 'id');
    assert.equal(back.overridden, false);

    // Budi's assignment e-mail was refused by the SMTP server: failed; retried, it is tried again.
    let failed = null;
    for (let i = 0; i < 40 && !failed; i++) {
      const box = await api(admin, 'GET', '/api/v1/admin/outbox?status=failed');
      failed = box.items.find((m) => m.user_email === DEMO.learner) ?? null;
      if (!failed) await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(failed, 'the refused e-mail is marked failed');
    await page.getByRole('link', { name: 'Antrean email' }).click();
    await page.getByRole('heading', { level: 1, name: 'Antrean email' }).waitFor();
    await page.getByLabel('Status', { exact: true }).selectOption('failed');
    await page.getByTestId('outbox-row').first().waitFor();
    assert.ok(Number(await page.getByTestId('outbox-count-failed').textContent()) >= 1);
    await checkA11y(page, 'outbox');
    await shot(page, 'outbox');
    const to = failed.recipient ?? failed.user_email;
    await page.getByRole('button', { name: `Kirim ulang ke ${to}` }).first().click();
    await page.getByText(`Pesan untuk ${to} masuk antrean lagi.`).waitFor();
    let again = null;
    for (let i = 0; i < 40; i++) {
      const box = await api(admin, 'GET', '/api/v1/admin/outbox');
      again = box.items.find((m) => m.id === failed.id);
      if (again.attempts > failed.attempts) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    assert.ok(again.attempts > failed.attempts, `tried again after the retry (${failed.attempts} → ${again.attempts})`);
  });

  journey('phone size: the staff pages fit 360 px and pass the accessibility check', async () => {
    const hr = await token(DEMO.hr);
    const programmes = await api(hr, 'GET', '/api/v1/programmes');
    const programme = programmes.items.find((p) => p.title === PROGRAMME);
    const users = await api(hr, 'GET', '/api/v1/users?q=Budi');
    for (const [who, path, heading, name] of [
      [DEMO.hr, `/hr/programmes/${programme.id}`, PROGRAMME, 'programme-detail'],
      [DEMO.hr, cohortPath, `${PROGRAMME}: ${COHORT}`, 'cohort-staff'],
      [DEMO.hr, `/users/${users.items[0].id}/learning`, BUDI, 'learner'],
      [DEMO.hr, '/mentoring', 'Pasangkan mentor dan mentee', 'mentoring'],
      [DEMO.mentor, '/mentees', 'Mentee saya', 'mentees'],
      [DEMO.instructor, `/author/courses/${PDP}/bank`, `Bank soal: ${PDP}`, 'bank'],
      [DEMO.instructor, `/author/courses/${PDP}/results?kuis=${BANK_QUIZ}`, `Hasil kuis: ${PDP}`, 'results-regrade'],
      [DEMO.admin, '/admin/templates?jenis=overdue&bahasa=en', 'Templat pesan', 'templates'],
      [DEMO.admin, '/admin/outbox', 'Antrean email', 'outbox'],
    ]) {
      await e2e.phoneCheck(who, path, heading, name);
    }
  });
});
