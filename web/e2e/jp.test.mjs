// End-to-end journeys of JP outside Lentera, against `lentera serve --demo`: a learner records
// external training with a proof file (a wrong file type is refused at the field), sees it wait
// for approval, withdraws one; hr downloads the proof and approves one, rejects another with a
// reason; an OPD-scoped hr officer sees none of it; the learner's JP then counts the extra JP.
// Professional certifications: recorded by the learner, listed by hr as expiring, exported.
// Every page is checked with axe-core and photographed at 1280×800 and 360×740.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe } from 'node:test';
import { DEMO } from './harness.mjs';
import { checkA11y, jakartaDate, shot, SKIP, useServer } from './helpers.mjs';

const HR_SCOPED = 'hr.dinkes@lentera.test';
const LEARNER_NAME = 'Budi Santoso, S.Kom.';
const SEMINAR = 'Seminar Nasional Transformasi Digital';
const WORKSHOP = 'Workshop Penyusunan Arsitektur SPBE';
const WITHDRAWN = 'Bimtek yang salah dicatat';
const PDF = Buffer.from('%PDF-1.4\n% bukti seminar e2e\n');
/** An 8×8 PNG (a scanned certificate, as far as the server can tell). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGP4upkRK2IYWhIAwS9qQSRIK2gAAAAASUVORK5CYII=', 'base64');

describe('JP outside Lentera and professional certifications in the browser', { skip: SKIP }, () => {
  const e2e = useServer({ demo: true });
  const { session, journey } = e2e;

  /** Fills the external training form (the amount as the form's unit asks). */
  async function record(page, { form, title, provider, start, end, amount, number, proof }) {
    const region = page.getByRole('region', { name: 'Catat pelatihan eksternal' });
    await region.getByLabel(/^Bentuk pengembangan kompetensi/).selectOption(form);
    await region.getByLabel(/^Nama pelatihan \/ materi/).fill(title);
    await region.getByLabel(/^Penyelenggara/).fill(provider);
    await region.getByLabel(/^Tanggal mulai/).fill(start);
    await region.getByLabel(/^Tanggal selesai/).fill(end);
    for (const [label, value] of Object.entries(amount ?? {})) await region.getByLabel(label, { exact: true }).fill(value);
    if (number) await region.getByLabel(/^Nomor sertifikat/).fill(number);
    if (proof) await region.getByLabel(/^Bukti \(sertifikat\)/).setInputFiles(proof);
  }

  journey('learner: records external training with a proof, sees it wait for approval, withdraws one', async () => {
    const page = await session(DEMO.learner);
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'JP saya' }).click();
    await page.getByRole('heading', { level: 1, name: 'JP saya' }).waitFor();
    await page.getByTestId('jp-label').getByText('0 / 20 JP').waitFor();
    await page.getByText('Anda belum mencatat pelatihan eksternal.').waitFor();
    await checkA11y(page, 'my JP (empty)');

    // A seminar counts 4 JP a day: two days suggest 8 JP. A web page is no proof.
    await record(page, {
      form: 'seminar',
      title: SEMINAR,
      provider: 'Kementerian PANRB',
      start: jakartaDate(-3),
      end: jakartaDate(-2),
      number: '800/123/SEM/2026',
      proof: { name: 'bukti.html', mimeType: 'text/html', buffer: Buffer.from('<html>bukan bukti</html>') },
    });
    await page.getByTestId('jp-rule').getByText('4 JP per hari (6 JP per hari di luar negeri).').waitFor();
    await page.getByTestId('jp-suggested').getByText('Perkiraan: 8 JP').waitFor();
    await page.getByRole('button', { name: 'Kirim untuk disetujui' }).click();
    await page.getByText('Bukti harus berkas PDF, PNG, atau JPEG.').waitFor();
    assert.equal(await page.locator('#et-proof').getAttribute('aria-invalid'), 'true');
    await checkA11y(page, 'my JP with a problem');
    await shot(page, 'jp-problem');

    await page.getByRole('region', { name: 'Catat pelatihan eksternal' }).getByLabel(/^Bukti \(sertifikat\)/).setInputFiles({ name: 'sertifikat.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.getByRole('button', { name: 'Kirim untuk disetujui' }).click();
    await page.getByText(`"${SEMINAR}" terkirim dan menunggu persetujuan.`).waitFor();
    await page.getByTestId('jp-pending').getByText('8 JP').waitFor();
    await page.getByTestId('jp-counted').getByText('0 JP').waitFor();

    // A workshop (5 JP a day, one day) with a photographed certificate, and a record made by mistake.
    await record(page, {
      form: 'workshop',
      title: WORKSHOP,
      provider: 'Diskominfo Provinsi Jambi',
      start: jakartaDate(-5),
      end: jakartaDate(-5),
      proof: { name: 'foto-sertifikat.png', mimeType: 'image/png', buffer: PNG },
    });
    await page.getByTestId('jp-suggested').getByText('Perkiraan: 5 JP').waitFor();
    await page.getByRole('button', { name: 'Kirim untuk disetujui' }).click();
    await page.getByText(`"${WORKSHOP}" terkirim dan menunggu persetujuan.`).waitFor();
    await record(page, { form: 'bimbingan_teknis', title: WITHDRAWN, provider: 'BKPSDM', start: jakartaDate(-4), end: jakartaDate(-4), amount: { JP: '6' } });
    await page.getByTestId('jp-suggested').getByText('Perkiraan: 6 JP').waitFor();
    await page.getByRole('button', { name: 'Kirim untuk disetujui' }).click();
    await page.getByText(`"${WITHDRAWN}" terkirim dan menunggu persetujuan.`).waitFor();
    await page.getByTestId('jp-pending').getByText('19 JP').waitFor();

    await page.getByRole('button', { name: `Tarik: ${WITHDRAWN}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Tarik pengajuan?' });
    await dialog.getByRole('button', { name: 'Tarik' }).click();
    await page.getByText(`Pengajuan "${WITHDRAWN}" ditarik.`).waitFor();
    await page.getByTestId('jp-pending').getByText('13 JP').waitFor();
    assert.equal(await page.getByTestId('training').count(), 2);
    await page.getByTestId('training').filter({ hasText: SEMINAR }).getByText('Menunggu persetujuan').waitFor();

    // The learner can fetch their own proof back.
    const [own] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: `Unduh bukti: ${SEMINAR}` }).click()]);
    assert.equal(readFileSync(await own.path()).toString(), PDF.toString());

    // A professional certification that expires within the month.
    const certForm = page.getByRole('region', { name: 'Catat sertifikasi profesi' });
    await certForm.getByLabel(/^Nama sertifikasi/).fill('Sertifikat Kompetensi Pranata Komputer');
    await certForm.getByLabel(/^Penerbit/).fill('BNSP');
    await certForm.getByLabel(/^Nomor\s*\*?$/).fill('KOM-2024-0099');
    await certForm.getByLabel(/^Tanggal terbit/).fill(jakartaDate(-700));
    await certForm.getByLabel(/^Berlaku sampai/).fill(jakartaDate(30));
    await certForm.getByLabel(/^Bukti \(sertifikat\)/).setInputFiles({ name: 'sertifikat-kompetensi.pdf', mimeType: 'application/pdf', buffer: PDF });
    await page.getByRole('button', { name: 'Simpan sertifikasi' }).click();
    await page.getByText('Sertifikasi "Sertifikat Kompetensi Pranata Komputer" tersimpan.').waitFor();
    await page.getByTestId('certification').getByText(/\(30 hari lagi\)$/).waitFor();
    await checkA11y(page, 'my JP');
    await shot(page, 'jp');
  });

  journey('hr: downloads the proof, approves one record and rejects another; scoped hr sees neither', async () => {
    // An hr officer of another OPD (Dinas Kesehatan) sees nothing of a Diskominfo learner.
    const scoped = await session(HR_SCOPED);
    await scoped.goto(`${e2e.server.baseUrl}/approvals`);
    await scoped.getByRole('heading', { level: 1, name: 'Verifikasi JP dan sertifikasi' }).waitFor();
    await scoped.getByText('Tidak ada pengajuan yang menunggu persetujuan.').waitFor();
    await scoped.getByText('Tidak ada sertifikasi yang berakhir dalam 90 hari.').waitFor();

    const page = await session(DEMO.hr);
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Verifikasi JP' }).click();
    await page.getByRole('heading', { level: 1, name: 'Verifikasi JP dan sertifikasi' }).waitFor();
    const seminar = page.getByTestId('review-item').filter({ hasText: SEMINAR });
    await seminar.getByRole('heading', { name: `${LEARNER_NAME}: ${SEMINAR}` }).waitFor();
    await seminar.getByText('Seminar (SIASN 9)').waitFor();
    await seminar.getByText('2 hari').waitFor();
    await seminar.getByText('800/123/SEM/2026').waitFor();
    assert.equal(await page.getByTestId('review-item').count(), 2);
    await checkA11y(page, 'approvals');
    await shot(page, 'approvals');

    const [proof] = await Promise.all([page.waitForEvent('download'), seminar.getByRole('button', { name: `Unduh bukti: ${LEARNER_NAME}, ${SEMINAR}` }).click()]);
    assert.match(proof.suggestedFilename(), /\.pdf$/);
    assert.equal(readFileSync(await proof.path()).toString(), PDF.toString());

    await seminar.getByRole('button', { name: `Setujui: ${LEARNER_NAME}, ${SEMINAR}` }).click();
    await page.getByText(`Disetujui: ${LEARNER_NAME}, "${SEMINAR}", 8 JP.`).waitFor();

    const workshop = page.getByTestId('review-item').filter({ hasText: WORKSHOP });
    // A photographed proof shows in the page.
    await workshop.getByRole('button', { name: `Lihat bukti: ${LEARNER_NAME}, ${WORKSHOP}` }).click();
    const proofDialog = page.getByRole('dialog', { name: `Bukti: ${LEARNER_NAME}: ${WORKSHOP}` });
    const image = proofDialog.getByRole('img', { name: `Bukti: ${LEARNER_NAME}: ${WORKSHOP}` });
    await image.waitFor();
    await page.waitForFunction(() => document.querySelector('[data-testid="proof-image"]')?.naturalWidth === 8);
    await checkA11y(page, 'proof dialog');
    await proofDialog.getByRole('button', { name: 'Tutup' }).click();
    await proofDialog.waitFor({ state: 'hidden' });
    await workshop.getByRole('button', { name: `Tolak: ${LEARNER_NAME}, ${WORKSHOP}` }).click();
    const dialog = page.getByRole('dialog', { name: 'Tolak pengajuan' });
    await dialog.getByRole('button', { name: 'Tolak' }).click();
    await dialog.getByText('Isi alasan penolakan.').waitFor();
    await dialog.getByLabel(/^Alasan/).fill('Tidak ada sertifikat atau daftar hadir.');
    await dialog.getByRole('button', { name: 'Tolak' }).click();
    await page.getByText(`Ditolak: ${LEARNER_NAME}, "${WORKSHOP}".`).waitFor();
    await page.getByText('Tidak ada pengajuan yang menunggu persetujuan.').waitFor();

    await page.getByLabel('Tampilkan').selectOption('all');
    await page.getByTestId('review-item').filter({ hasText: SEMINAR }).getByText('Disetujui, 8 JP').waitFor();

    // Certifications expiring within 90 days, and within 10 (none), exported as CSV and XLSX.
    const expiring = page.getByRole('region', { name: 'Sertifikasi yang berakhir dalam 90 hari' });
    await expiring.getByRole('cell', { name: LEARNER_NAME }).waitFor();
    await expiring.getByText('KOM-2024-0099').waitFor();
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'CSV — sertifikasi yang akan berakhir' }).click()]);
    assert.match(csv.suggestedFilename(), /\.csv$/);
    assert.match(readFileSync(await csv.path(), 'utf8'), /KOM-2024-0099/);
    const [xlsx] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Excel (XLSX) — sertifikasi yang akan berakhir' }).click()]);
    assert.equal(readFileSync(await xlsx.path()).subarray(0, 2).toString(), 'PK');
    await page.getByLabel('Dalam (hari)').fill('10');
    await page.getByRole('button', { name: 'Tampilkan', exact: true }).click();
    await page.getByText('Tidak ada sertifikasi yang berakhir dalam 10 hari.').waitFor();
    await checkA11y(page, 'approvals (decided)');
  });

  journey('learner: the approved JP count, the rejected record says why', async () => {
    const page = await session(DEMO.learner);
    await page.goto(`${e2e.server.baseUrl}/jp`);
    await page.getByRole('heading', { level: 1, name: 'JP saya' }).waitFor();
    await page.getByTestId('jp-label').getByText('8 / 20 JP').waitFor();
    await page.getByTestId('jp-counted').getByText('8 JP').waitFor();
    await page.getByTestId('jp-pending').getByText('0 JP').waitFor();
    await page.getByTestId('jp-rejected').getByText('5 JP').waitFor();
    await page.getByText('Ditolak: Tidak ada sertifikat atau daftar hadir.').waitFor();
    await page.getByTestId('training').filter({ hasText: SEMINAR }).getByText('Disetujui').waitFor();
    // Decided records can no longer be withdrawn.
    assert.equal(await page.getByRole('button', { name: /^Tarik:/ }).count(), 0);
    // The same page in English (every string comes from the catalogues), then back.
    await page.getByRole('button', { name: /^EN/ }).click();
    await page.getByRole('heading', { level: 1, name: 'My JP' }).waitFor();
    await page.getByRole('region', { name: 'Record external training' }).getByLabel(/^Form of competence development/).waitFor();
    await page.getByTestId('training').filter({ hasText: SEMINAR }).getByText('Approved').waitFor();
    await page.getByText('Rejected: Tidak ada sertifikat atau daftar hadir.').waitFor();
    await checkA11y(page, 'my JP in English');
    await shot(page, 'jp-en');
    await page.getByRole('button', { name: /^ID/ }).click();
    await page.getByRole('heading', { level: 1, name: 'JP saya' }).waitFor();
    // The dashboard's ring counts them too.
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Beranda' }).click();
    await page.getByTestId('jp-label').getByText('8 / 20 JP').waitFor();
  });

  journey('phone size: the JP pages fit 360 px and pass the accessibility check', async () => {
    for (const [who, path, heading, name] of [
      [DEMO.learner, '/jp', 'JP saya', 'jp'],
      [DEMO.hr, '/approvals?status=all', 'Verifikasi JP dan sertifikasi', 'approvals'],
    ]) {
      await e2e.phoneCheck(who, path, heading, name);
    }
  });
});
