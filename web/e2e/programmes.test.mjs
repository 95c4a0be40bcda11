// End-to-end journeys of programmes and notifications, against `lentera serve --demo`: hr creates
// a programme from two sample courses (one required, one elective), opens a cohort, assigns it
// by a pasted NIP list (bad rows reported by row number, nobody assigned), then by a good one and
// by a CSV file; the learner sees the unread count on the bell, reads the notification, follows
// it to the programme with its deadline and progress (also on the dashboard), marks everything
// read, and turns a non-essential e-mail off in the profile; hr filters the reports by the
// programme. Every page is checked with axe-core
// and photographed at 1280×800 and 360×740.
import assert from 'node:assert/strict';
import { describe } from 'node:test';
import { DEMO } from './harness.mjs';
import { checkA11y, jakartaDate, shot, SKIP, useServer } from './helpers.mjs';

const PROGRAMME = 'Pelatihan Literasi Digital ASN';
const COHORT = 'Angkatan I';
const REQUIRED = 'Keamanan Informasi dan Pelindungan Data Pribadi';
const ELECTIVE = 'Pengelolaan Data dengan Spreadsheet untuk ASN';
const OTHER = 'Layanan Publik Digital dan SPBE';
const OTHER_SLUG = 'layanan-publik-digital-spbe';
const BUDI_NIP = '198609262015051001';
const SITI_NIP = '199204052022212002';
const LEARNER_NAME = 'Budi Santoso, S.Kom.';

describe('Programmes and notifications in the browser', { skip: SKIP }, () => {
  const e2e = useServer({ demo: true });
  const { session, journey } = e2e;
  let cohortPath = null;

  journey('hr programme: create a programme and a cohort, assign it by NIP list (bad rows by number, then a good list)', async () => {
    const page = await session(DEMO.hr);
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Program', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Program pelatihan' }).waitFor();
    await page.getByText('Belum ada program.').waitFor();

    // The form says what is missing before sending anything.
    await page.getByRole('button', { name: 'Buat program' }).click();
    await page.getByText('Isi nama program.').waitFor();
    await page.getByText('Pilih sedikitnya satu kursus.').waitFor();
    await checkA11y(page, 'programmes with problems');

    await page.getByLabel(/^Nama program/).fill(PROGRAMME);
    await page.getByLabel(new RegExp(`^${REQUIRED}`)).selectOption('required');
    await page.getByLabel(new RegExp(`^${ELECTIVE}`)).selectOption('elective');
    await page.getByLabel('Jumlah kursus pilihan yang harus diselesaikan').fill('2');
    await page.getByRole('button', { name: 'Buat program' }).click();
    await page.getByText('Jumlah kursus pilihan yang harus diselesaikan melebihi kursus pilihan yang ada.').waitFor();
    await page.getByLabel('Jumlah kursus pilihan yang harus diselesaikan').fill('1');
    await page.getByRole('button', { name: 'Buat program' }).click();
    await page.getByRole('heading', { level: 1, name: PROGRAMME }).waitFor();
    await page.getByText('Belum ada angkatan.').waitFor();
    await shot(page, 'programme');

    await page.getByLabel(/^Nama angkatan/).fill(COHORT);
    await page.getByLabel(/^Mulai/).fill(jakartaDate(0));
    await page.getByLabel(/^Selesai/).fill(jakartaDate(30));
    await page.getByRole('button', { name: 'Tambah angkatan' }).click();
    await page.getByRole('heading', { level: 1, name: `${PROGRAMME}: ${COHORT}` }).waitFor();
    cohortPath = new URL(page.url()).pathname;
    await page.getByText('Belum ada peserta.').waitFor();

    // A pasted list with a malformed NIP, then with an unknown one: each reported at its row
    // (the line of the list), nobody assigned.
    await page.getByLabel('Tugaskan kepada').selectOption('nips');
    const problems = page.getByRole('table', { name: /baris bermasalah; tidak ada yang ditugaskan$/ });
    const problemRows = () => problems.locator('tbody tr').evaluateAll((trs) => trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())));
    await page.getByLabel('NIP (satu per baris)').fill(`${BUDI_NIP}\n199001012020011999\n12345`);
    await page.getByRole('button', { name: 'Tugaskan' }).click();
    await problems.waitFor();
    assert.deepEqual(await problemRows(), [['3', 'NIP harus tepat 18 digit.']]);
    await page.getByText('Daftar NIP berisi kesalahan; tidak ada yang ditugaskan.').waitFor();
    await page.getByLabel('NIP (satu per baris)').fill(`${BUDI_NIP}\n199001012020011999`);
    await page.getByRole('button', { name: 'Tugaskan' }).click();
    await problems.getByText('Tidak ada akun dengan NIP ini (atau di luar wewenang Anda).').waitFor();
    assert.deepEqual((await problemRows()).map((r) => r[0]), ['2']);
    assert.equal(await page.getByTestId('cohort-members').textContent(), '0');
    await checkA11y(page, 'cohort with NIP problems');
    await shot(page, 'cohort-problems');

    await page.getByLabel('NIP (satu per baris)').fill(`${BUDI_NIP}\n`);
    await page.getByRole('button', { name: 'Tugaskan' }).click();
    await page.getByText('Penugasan selesai: 1 pegawai baru ditugaskan.').waitFor();
    await page.getByRole('region', { name: 'Peserta dan kemajuannya' }).getByText(LEARNER_NAME).waitFor();
    await page.getByTestId('cohort-members').getByText('1').waitFor();
    await page.getByText(`Pegawai: ${LEARNER_NAME}`).waitFor();

    // A CSV file with a `nip` column: its bad row is reported as the spreadsheet numbers it
    // (header = row 1), then the fixed file assigns one more learner.
    const csv = (rows) => ({ name: 'peserta.csv', mimeType: 'text/csv', buffer: Buffer.from(['nip', ...rows].join('\n') + '\n') });
    await page.getByLabel('Atau berkas CSV').setInputFiles(csv([SITI_NIP, '1986092620150510']));
    await page.getByRole('button', { name: 'Tugaskan' }).click();
    await problems.waitFor();
    assert.deepEqual(await problemRows(), [['3', 'NIP harus tepat 18 digit.']]);
    await page.getByLabel('Atau berkas CSV').setInputFiles(csv([SITI_NIP]));
    await page.getByRole('button', { name: 'Tugaskan' }).click();
    await page.getByText('Penugasan selesai: 1 pegawai baru ditugaskan.').waitFor();
    await page.getByTestId('cohort-members').getByText('2').waitFor();
    await page.getByRole('region', { name: 'Peserta dan kemajuannya' }).getByText('Siti Aminah, A.Md.Kep.').waitFor();
    await checkA11y(page, 'cohort');
    await shot(page, 'cohort');
  });

  journey('notifications: the bell counts the assignment, the learner reads it and follows it to the programme', async () => {
    const page = await session(DEMO.learner);
    const bell = page.getByRole('link', { name: 'Notifikasi, 1 belum dibaca' });
    await bell.waitFor();
    // The dashboard lists the programme with its deadline.
    const onDashboard = page.getByTestId('dashboard-programme');
    await onDashboard.getByRole('link', { name: `${PROGRAMME} · ${COHORT}` }).waitFor();
    await onDashboard.getByText(/^Tenggat /).waitFor();

    await bell.click();
    await page.getByRole('heading', { level: 1, name: 'Notifikasi' }).waitFor();
    await page.getByText('1 belum dibaca').waitFor();
    const item = page.getByTestId('notification').first();
    await item.getByText(PROGRAMME).first().waitFor();
    await checkA11y(page, 'notifications');
    await shot(page, 'notifications');

    await item.getByRole('link').click();
    await page.getByRole('heading', { level: 1, name: PROGRAMME }).waitFor();
    const programme = page.getByTestId('my-programme');
    await programme.getByText('0 dari 1 kursus wajib selesai').waitFor();
    await programme.getByText('0 dari 1 kursus pilihan selesai').waitFor();
    await programme.getByRole('link', { name: REQUIRED }).waitFor();
    await programme.getByText(/^Tenggat /).waitFor();
    await page.getByRole('link', { name: 'Notifikasi', exact: true }).waitFor();
    await checkA11y(page, 'my programme');
    await shot(page, 'my-programme');

    // Read now: the unread filter is empty, and "mark all" has nothing left to do.
    await page.getByRole('link', { name: 'Notifikasi', exact: true }).click();
    await page.getByText('0 belum dibaca').waitFor();
    await page.getByLabel('Hanya yang belum dibaca').check();
    await page.getByText('Tidak ada notifikasi yang belum dibaca.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Tandai semua dibaca' }).count(), 0);
  });

  journey('notifications: mark one and all read; the e-mail choices in the profile', async () => {
    // Another cohort, assigned to the learner's whole OPD, notifies them again.
    const hr = await session(DEMO.hr);
    await hr.goto(`${e2e.server.baseUrl}/hr/programmes`);
    await hr.getByRole('link', { name: PROGRAMME }).click();
    await hr.getByRole('heading', { level: 1, name: PROGRAMME }).waitFor();
    // The programme's JP can change while it runs (its courses cannot).
    await hr.getByRole('button', { name: 'Ubah program' }).click();
    await hr.getByLabel(/^JP program/).fill('12');
    await hr.getByRole('button', { name: 'Simpan perubahan' }).click();
    await hr.getByText('Program tersimpan.').waitFor();
    await hr.getByText(/^12 JP/).waitFor();
    await hr.getByLabel(/^Nama angkatan/).fill('Angkatan II');
    await hr.getByLabel(/^Mulai/).fill(jakartaDate(0));
    await hr.getByLabel(/^Selesai/).fill(jakartaDate(60));
    await hr.getByRole('button', { name: 'Tambah angkatan' }).click();
    await hr.getByRole('heading', { level: 1, name: `${PROGRAMME}: Angkatan II` }).waitFor();
    await hr.getByLabel('Tugaskan kepada').selectOption('opd');
    await hr.getByLabel('OPD', { exact: true }).selectOption({ label: 'Dinas Komunikasi dan Informatika' });
    await hr.getByRole('button', { name: 'Tugaskan' }).click();
    await hr.getByText(/^Penugasan selesai: \d+ pegawai baru ditugaskan\.$/).waitFor();
    await hr.getByText('OPD: Dinas Komunikasi dan Informatika').waitFor();
    // Removing the rule keeps those it assigned (the members stay), and nobody new is added by it.
    const members = await hr.getByTestId('cohort-members').textContent();
    await hr.getByRole('button', { name: 'Hapus aturan: OPD: Dinas Komunikasi dan Informatika' }).click();
    await hr.getByText('Aturan "OPD: Dinas Komunikasi dan Informatika" dihapus.').waitFor();
    await hr.getByText('Belum ada aturan.').waitFor();
    assert.equal(await hr.getByTestId('cohort-members').textContent(), members);

    const page = await session(DEMO.learner);
    await page.goto(`${e2e.server.baseUrl}/notifications`);
    await page.getByRole('heading', { level: 1, name: 'Notifikasi' }).waitFor();
    await page.getByText('1 belum dibaca').waitFor();
    await page.getByRole('link', { name: 'Notifikasi, 1 belum dibaca' }).waitFor();
    await page.getByRole('button', { name: /^Tandai dibaca: / }).first().click();
    await page.getByText('0 belum dibaca').waitFor();
    await page.getByRole('link', { name: 'Notifikasi', exact: true }).waitFor();

    // The profile: a non-essential e-mail turned off stays off; the essential one cannot be.
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Profil' }).click();
    await page.getByRole('heading', { level: 1, name: 'Profil' }).waitFor();
    const essential = page.getByRole('checkbox', { name: /^Penugasan program pelatihan/ });
    assert.equal(await essential.isDisabled(), true);
    assert.equal(await essential.isChecked(), true);
    const deadline = page.getByRole('checkbox', { name: 'Tenggat yang mendekat' });
    assert.equal(await deadline.isChecked(), true);
    await deadline.uncheck();
    await page.getByRole('button', { name: 'Simpan pilihan email' }).click();
    await page.getByText('Pilihan email tersimpan.').waitFor();
    await checkA11y(page, 'profile with e-mail choices');
    await shot(page, 'profile-email');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Profil' }).waitFor();
    await page.getByRole('checkbox', { name: 'Kursus selesai' }).waitFor();
    assert.equal(await page.getByRole('checkbox', { name: 'Tenggat yang mendekat' }).isChecked(), false);
  });

  journey('scoped hr: the cohort shows only their OPD, whose learners are the only ones they may assign', async () => {
    assert.ok(cohortPath, 'the cohort of the first journey');
    const page = await session('hr.dinkes@lentera.test');
    await page.goto(`${e2e.server.baseUrl}${cohortPath}`);
    await page.getByRole('heading', { level: 1, name: `${PROGRAMME}: ${COHORT}` }).waitFor();
    const learners = page.getByRole('region', { name: 'Peserta dan kemajuannya' });
    await learners.getByText('Siti Aminah, A.Md.Kep.').waitFor();
    assert.equal(await learners.getByText(LEARNER_NAME).count(), 0);
    await page.getByTestId('cohort-members').getByText('1').waitFor();
    const opds = await page.getByLabel('OPD', { exact: true }).locator('option').allTextContents();
    assert.deepEqual(opds, ['Pilih OPD…', 'Dinas Kesehatan']);
    // Budi belongs to another OPD: to this officer his NIP is unknown.
    await page.getByLabel('Tugaskan kepada').selectOption('nips');
    await page.getByLabel('NIP (satu per baris)').fill(BUDI_NIP);
    await page.getByRole('button', { name: 'Tugaskan' }).click();
    await page.getByText('Tidak ada akun dengan NIP ini (atau di luar wewenang Anda).').waitFor();
    await checkA11y(page, 'cohort for a scoped hr officer');
  });

  journey('reports: the programme filter leaves only the programme\'s courses', async () => {
    // A course outside the programme, so that the filter has something to leave out.
    const r = await fetch(`${e2e.server.baseUrl}/api/v1/courses/${OTHER_SLUG}/enrol`, {
      method: 'POST',
      headers: { authorization: `Bearer ${await e2e.token(DEMO.learner)}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.ok(r.ok || r.status === 409, `enrol: ${r.status}`);
    const page = await session(DEMO.hr);
    await page.goto(`${e2e.server.baseUrl}/reports`);
    await page.getByRole('heading', { level: 1, name: 'Laporan' }).waitFor();
    const perCourse = page.getByRole('table', { name: 'Penyelesaian per kursus' });
    const courses = async () => (await perCourse.locator('tbody tr td:first-child').allTextContents()).map((c) => c.trim()).sort();
    await perCourse.getByText(OTHER).waitFor();

    await page.getByLabel('Program pelatihan').selectOption({ label: PROGRAMME });
    await page.waitForURL(/[?&]program=/);
    await perCourse.getByText(OTHER).waitFor({ state: 'detached' });
    assert.deepEqual(await courses(), [REQUIRED, ELECTIVE].sort());
    const listed = page.getByRole('table', { name: 'Daftar penyelesaian' });
    const listedCourses = new Set((await listed.locator('tbody tr td:nth-child(3)').allTextContents()).map((c) => c.trim()));
    assert.ok(listedCourses.size > 0 && [...listedCourses].every((c) => c === REQUIRED || c === ELECTIVE), [...listedCourses].join(', '));
    await checkA11y(page, 'reports for a programme');

    // Back to every programme: the other course returns.
    await page.getByLabel('Program pelatihan').selectOption({ label: 'Semua program' });
    await perCourse.getByText(OTHER).waitFor();
  });

  journey('phone size: the programme and notification pages fit 360 px and pass the accessibility check', async () => {
    assert.ok(cohortPath, 'the cohort of the first journey');
    for (const [who, path, heading, name] of [
      [DEMO.learner, '/notifications', 'Notifikasi', 'notifications'],
      [DEMO.learner, '/programmes', 'Program saya', 'my-programmes'],
      [DEMO.learner, '/', /^Selamat datang/, 'dashboard-programmes'],
      [DEMO.hr, '/hr/programmes', 'Program pelatihan', 'programmes'],
      [DEMO.hr, cohortPath, `${PROGRAMME}: ${COHORT}`, 'cohort'],
    ]) {
      await e2e.phoneCheck(who, path, heading, name);
    }
  });
});
