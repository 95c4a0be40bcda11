// End-to-end journeys in headless Chromium against the real server (see harness.mjs), at
// desktop (1280×800) and phone (360×740) sizes, with an axe-core accessibility check of each
// page and screenshots in target/screenshots/.
import assert from 'node:assert/strict';
import { before, describe } from 'node:test';
import { ADMIN, LOGIN_LIMIT, OPD } from './harness.mjs';
import { checkA11y, DESKTOP, PHONE, shot, SKIP, useServer } from './helpers.mjs';

const VALID_NIP = '198503152010012002';
const BAD_CSV = [
  'NIP,nama,email,OPD,jabatan,jenis',
  '199001012015031001,Ahmad Fauzi,ahmad.fauzi@batanghari.go.id,Dinas Kesehatan,Perawat,PNS',
  '19900101,Rina Marlina,rina.marlina@batanghari.go.id,Dinas Kesehatan,Bidan,PNS',
  '199107202019032004,Yusuf Hamdani,bukan-email,Dinas Kesehatan,Staf,PPPK',
  '198811112012121003,Lina Kartika,lina.kartika@batanghari.go.id,Dinas Pariwisata,Analis,PNS',
  `${VALID_NIP},Siti Lagi,siti.lagi@batanghari.go.id,Dinas Kesehatan,Staf,PNS`,
  '',
].join('\n');
// As Excel in Indonesian saves it: a BOM, semicolons, CRLF.
const FIXED_CSV = [
  '\ufeffnip;nama;email;opd;jabatan;jenis',
  '199001012015031001;Ahmad Fauzi;ahmad.fauzi@batanghari.go.id;Dinas Kesehatan;Perawat;PNS',
  '199205102018012001;Dewi Lestari;dewi.lestari@batanghari.go.id;Dinas Kesehatan;Bidan;PPPK',
  '',
].join('\r\n');

async function login(page, baseUrl, password = ADMIN.password, loginName = ADMIN.email) {
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel(/NIP atau email|NIP or e-mail/).fill(loginName);
  await page.getByLabel(/^(Kata sandi|Password)$/).fill(password);
  await page.getByRole('button', { name: /^(Masuk|Log in)$/ }).click();
}

describe('Lentera in the browser', { skip: SKIP }, () => {
  const e2e = useServer({ demo: false });
  const { journey } = e2e;
  /** The admin's page; other accounts open their own contexts. */
  let context;
  let page;

  before(async () => {
    context = await e2e.newContext(DESKTOP);
    page = await context.newPage();
    page.setDefaultTimeout(15_000);
    e2e.sessions.set('admin', { context, page });
  });

  journey('log in: a wrong password shows an Indonesian error, the right one opens the dashboard', async () => {
    await page.goto(`${e2e.server.baseUrl}/`);
    await page.waitForURL(/\/login$/);
    await assert.doesNotReject(page.getByRole('heading', { level: 1, name: 'Masuk ke Lentera' }).waitFor());
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'id');
    await checkA11y(page, 'login');
    await shot(page, 'login');

    await login(page, e2e.server.baseUrl, 'bukan-kata-sandinya');
    const alert = page.getByRole('alert');
    await alert.waitFor();
    assert.match(await alert.innerText(), /NIP\/email atau kata sandi salah\./);
    await checkA11y(page, 'login with an error');

    await login(page, e2e.server.baseUrl);
    await page.getByRole('heading', { level: 1, name: `Selamat datang, ${ADMIN.name}` }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/');
    const facts = await page.locator('dl.facts').innerText();
    assert.match(facts, /Tanpa OPD/);
    assert.match(facts, /Admin/);
    // The access token is kept in memory only.
    const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
    assert.doesNotMatch(stored, /eyJ/);
    await checkA11y(page, 'dashboard');
    await shot(page, 'dashboard');
  });

  journey('switch to English and back; the choice is kept on the server', async () => {
    await page.getByRole('button', { name: /^EN/ }).click();
    await page.getByRole('heading', { level: 1, name: `Welcome, ${ADMIN.name}` }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    await page.getByRole('navigation', { name: 'Main navigation' }).getByRole('link', { name: 'Users' }).waitFor();

    // A fresh browser (nothing in localStorage) gets English from the server after logging in.
    const other = await e2e.browser.newContext({ viewport: DESKTOP, bypassCSP: true });
    const p2 = await other.newPage();
    await login(p2, e2e.server.baseUrl);
    await p2.getByRole('heading', { level: 1, name: `Welcome, ${ADMIN.name}` }).waitFor();
    await shot(p2, 'dashboard-en');
    await other.close();

    await page.getByRole('button', { name: /^ID/ }).click();
    await page.getByRole('heading', { level: 1, name: `Selamat datang, ${ADMIN.name}` }).waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'id');
    // A reload keeps the session (refresh cookie) and the language.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: `Selamat datang, ${ADMIN.name}` }).waitFor();
  });

  journey('create a user: an invalid NIP is shown at its field, then a valid one creates the user', async () => {
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Pengguna' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pengguna' }).waitFor();
    await page.getByRole('link', { name: 'Tambah pengguna' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Tambah pengguna' }).waitFor();

    await page.getByLabel('NIP', { exact: true }).fill('19850315 2010');
    await page.getByLabel(/^Nama lengkap/).fill('Siti Rahmawati');
    await page.getByLabel(/^Email/).fill('siti.rahmawati@batanghari.go.id');
    await page.getByLabel(/^OPD/).selectOption({ label: OPD });
    await page.getByLabel(/^Jabatan/).fill('Analis Kesehatan');
    await page.getByLabel(/^Jenis ASN/).selectOption('PNS');
    await page.getByRole('button', { name: 'Simpan pengguna' }).click();

    const nip = page.getByLabel('NIP', { exact: true });
    await page.locator('#u-nip-error').waitFor();
    assert.equal(await page.locator('#u-nip-error').innerText(), 'NIP harus tepat 18 digit.');
    assert.equal(await nip.getAttribute('aria-invalid'), 'true');
    assert.match((await nip.getAttribute('aria-describedby')) ?? '', /u-nip-error/);
    assert.equal(await page.evaluate(() => document.activeElement?.id), 'u-nip');
    await checkA11y(page, 'create user with a NIP error');
    await shot(page, 'user-create-error');

    await nip.fill(VALID_NIP);
    await page.getByRole('button', { name: 'Simpan pengguna' }).click();
    await page.getByRole('heading', { name: 'Pengguna Siti Rahmawati telah dibuat' }).waitFor();
    const generated = await page.getByTestId('generated-password').innerText();
    assert.ok(generated.length >= 12, `a generated password is shown once (${generated})`);
    await shot(page, 'user-created');

    // Edit page: deactivate, activate, reset the password.
    await page.getByRole('link', { name: 'Lihat pengguna' }).click();
    await page.getByRole('heading', { level: 1, name: 'Siti Rahmawati' }).waitFor();
    await page.getByRole('button', { name: 'Nonaktifkan' }).click();
    const dialog = page.getByRole('dialog', { name: 'Nonaktifkan pengguna?' });
    await dialog.waitFor();
    await checkA11y(page, 'deactivate dialog');
    await dialog.getByRole('button', { name: 'Nonaktifkan' }).click();
    await page.getByText('Pengguna telah dinonaktifkan.').waitFor();
    await page.getByRole('button', { name: 'Aktifkan' }).click();
    await page.getByRole('dialog', { name: 'Aktifkan pengguna?' }).getByRole('button', { name: 'Aktifkan' }).click();
    await page.getByText('Pengguna telah diaktifkan.').waitFor();
    await page.getByRole('button', { name: 'Atur ulang kata sandi' }).click();
    await page.getByRole('dialog', { name: 'Atur ulang kata sandi?' }).getByRole('button', { name: 'Buat kata sandi baru' }).click();
    const reset = await page.getByTestId('generated-password').innerText();
    assert.ok(reset.length >= 12 && reset !== generated);
    await page.getByLabel(/^Jabatan/).fill('Analis Kesehatan Ahli Muda');
    await page.getByRole('button', { name: 'Simpan perubahan' }).click();
    await page.getByText('Perubahan tersimpan.').waitFor();
    await checkA11y(page, 'edit user');
    await shot(page, 'user-edit');

    // The new user can log in with the reset password, by NIP with spaces.
    const other = await e2e.browser.newContext({ viewport: PHONE, bypassCSP: true });
    const p2 = await other.newPage();
    await login(p2, e2e.server.baseUrl, reset, '19850315 201001 2 002');
    await p2.getByRole('heading', { level: 1, name: 'Selamat datang, Siti Rahmawati' }).waitFor();
    const facts = await p2.locator('dl.facts').innerText();
    assert.match(facts, new RegExp(OPD));
    assert.match(facts, /Peserta/);
    // A learner's navigation has no user management.
    await p2.getByRole('button', { name: 'Menu' }).click();
    assert.equal(await p2.getByRole('link', { name: 'Pengguna' }).count(), 0);
    await checkA11y(p2, 'learner dashboard (phone)');
    await shot(p2, 'learner-dashboard');
    await p2.goto(`${e2e.server.baseUrl}/users`);
    await p2.getByRole('heading', { level: 1, name: 'Akses tidak diizinkan' }).waitFor();
    await other.close();
  });

  journey('import a CSV: bad rows are listed and nothing is imported; the fixed file imports', async () => {
    await page.goto(`${e2e.server.baseUrl}/users/import`);
    await page.getByRole('heading', { level: 1, name: 'Impor pengguna dari CSV' }).waitFor();
    await page.getByLabel('Berkas CSV').setInputFiles({ name: 'pegawai.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_CSV) });

    await page.getByText('Berkas ditolak: 4 masalah ditemukan.').waitFor();
    await page.getByText('Tidak ada pengguna yang diimpor.', { exact: false }).waitFor();
    const rows = await page.locator('table.problems tbody tr').evaluateAll((trs) =>
      trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent.trim())),
    );
    assert.deepEqual(rows, [
      ['3', 'nip', 'NIP harus tepat 18 digit.'],
      ['4', 'email', 'Alamat email tidak valid.'],
      ['5', 'opd', 'OPD ini tidak ada di daftar OPD.'],
      ['6', 'nip', 'NIP ini sudah terdaftar.'],
    ]);
    assert.equal(await page.locator('table.preview tbody tr').count(), 5);
    assert.equal(await page.locator('table.preview tbody tr.bad').count(), 4);
    await checkA11y(page, 'import with problems');
    await shot(page, 'import-problems');

    // Nothing was imported.
    await page.goto(`${e2e.server.baseUrl}/users?q=Ahmad`);
    await page.getByText('Tidak ada pengguna yang cocok dengan pencarian ini.').waitFor();

    await page.goto(`${e2e.server.baseUrl}/users/import`);
    await page.getByLabel('Berkas CSV').setInputFiles({ name: 'pegawai-perbaikan.csv', mimeType: 'text/csv', buffer: Buffer.from(FIXED_CSV) });
    await page.getByText('Uji coba berhasil: 2 pengguna dari pegawai-perbaikan.csv siap diimpor.').waitFor();
    await shot(page, 'import-ready');
    await page.getByRole('button', { name: 'Impor 2 pengguna' }).click();
    await page.getByText('2 pengguna berhasil diimpor.').waitFor();
    await page.getByRole('link', { name: 'Lihat daftar pengguna' }).click();
    await page.getByRole('heading', { level: 1, name: 'Pengguna' }).waitFor();
    for (const name of ['Ahmad Fauzi', 'Dewi Lestari', 'Siti Rahmawati', ADMIN.name]) {
      await page.getByRole('link', { name, exact: true }).waitFor();
    }
    await page.getByText('4 pengguna', { exact: true }).waitFor();

    // Filters and search.
    await page.getByLabel('OPD', { exact: true }).selectOption({ label: OPD });
    await page.getByText('3 pengguna', { exact: true }).waitFor();
    assert.match(page.url(), /opd=/);
    await page.getByLabel('Peran', { exact: true }).selectOption('admin');
    await page.getByText('Tidak ada pengguna yang cocok dengan pencarian ini.').waitFor();
    await page.getByRole('button', { name: 'Hapus saringan' }).click();
    await page.getByLabel('Cari nama, email atau NIP').fill('dewi');
    await page.getByRole('button', { name: 'Cari', exact: true }).click();
    await page.getByText('1 pengguna', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Hapus saringan' }).click();
    await page.getByText('4 pengguna', { exact: true }).waitFor();
    await checkA11y(page, 'user list');
    await shot(page, 'users');
  });

  journey('OPDs: the admin adds one; a second with the same name is refused', async () => {
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'OPD' }).click();
    await page.getByRole('heading', { level: 1, name: 'OPD' }).waitFor();
    await page.getByRole('cell', { name: OPD }).waitFor();
    await page.getByLabel(/^Nama OPD/).fill('Dinas Sosial');
    await page.getByLabel(/^Kode \(opsional\)/).fill('DINSOS');
    await page.getByRole('button', { name: 'Tambah OPD' }).click();
    await page.getByText('OPD Dinas Sosial telah ditambahkan.').waitFor();
    await page.getByRole('cell', { name: 'Dinas Sosial' }).waitFor();
    await page.getByLabel(/^Nama OPD/).fill('Dinas Sosial');
    await page.getByRole('button', { name: 'Tambah OPD' }).click();
    await page.locator('#opd-name-error').waitFor();
    await checkA11y(page, 'OPDs');
    await shot(page, 'opds');
  });

  journey('profile: change the password', async () => {
    await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Profil' }).click();
    await page.getByRole('heading', { level: 1, name: 'Profil' }).waitFor();
    await page.getByLabel('Kata sandi saat ini').fill('salah-salah-salah');
    await page.getByLabel(/^Kata sandi baru/).fill(`${ADMIN.password}-baru`);
    await page.getByLabel('Ulangi kata sandi baru').fill(`${ADMIN.password}-baru`);
    await page.getByRole('button', { name: 'Ubah kata sandi' }).click();
    await page.locator('#pw-current-error').getByText('Kata sandi saat ini salah.').waitFor();
    await page.getByLabel('Kata sandi saat ini').fill(ADMIN.password);
    await page.getByRole('button', { name: 'Ubah kata sandi' }).click();
    await page.getByText('Kata sandi telah diubah.', { exact: false }).waitFor();
    ADMIN.password = `${ADMIN.password}-baru`;
    await checkA11y(page, 'profile');
    await shot(page, 'profile');
  });

  journey('offline: after the first visit the app opens with no network', async () => {
    await page.goto(`${e2e.server.baseUrl}/`);
    await page.getByRole('heading', { level: 1, name: `Selamat datang, ${ADMIN.name}` }).waitFor();
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
    });
    if (!(await page.evaluate(() => !!navigator.serviceWorker.controller))) {
      await page.reload();
      await page.getByRole('heading', { level: 1 }).waitFor();
    }
    await context.setOffline(true);
    try {
      await page.reload();
      await page.getByRole('heading', { level: 1, name: `Selamat datang, ${ADMIN.name}` }).waitFor();
      await page.getByText('Anda sedang luring.', { exact: false }).waitFor();
      // Lazy pages come from the cache too.
      await page.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Profil' }).click();
      await page.getByRole('heading', { level: 1, name: 'Profil' }).waitFor();
      await shot(page, 'offline-profile');
    } finally {
      await context.setOffline(false);
    }
    // Back online, the app trades the refresh cookie for a token by itself (and the offline
    // banner goes). Navigating away while that refresh is in flight could leave the browser
    // with a spent refresh token, which the server treats as reuse; so wait for it.
    await page.getByText('Anda sedang luring.', { exact: false }).waitFor({ state: 'detached' });
    await page.goto(`${e2e.server.baseUrl}/users`);
    await page.getByRole('heading', { level: 1, name: 'Pengguna' }).waitFor();
    await page.getByRole('link', { name: 'Dewi Lestari', exact: true }).waitFor();
  });

  journey('outbox: events waiting on this device show as "not yet synced", survive a failed sync, and a refused one says so', async () => {
    // A lesson page would record events like this one; it is put in the outbox's store directly
    // (this server has no courses). While the sync endpoint cannot be reached the event stays
    // pending; once it can, the server refuses it (unknown course) and the app shows that.
    const syncUrl = '**/api/v1/progress/events';
    await page.route(syncUrl, (route) => route.abort('internetdisconnected'));
    const id = await page.evaluate(async () => {
      const profile = await new Promise((ok, fail) => {
        const r = indexedDB.open('lentera-app');
        r.onerror = () => fail(r.error);
        r.onsuccess = () => {
          const get = r.result.transaction('kv').objectStore('kv').get('profile');
          get.onsuccess = () => ok(get.result);
          get.onerror = () => fail(get.error);
        };
      });
      const event = {
        id: crypto.randomUUID(),
        owner: profile.id,
        type: 'lesson_completed',
        payload: { course: 'contoh', lesson_id: 'pengantar' },
        created_at: new Date().toISOString(),
        seq: Date.now() * 1000,
        status: 'pending',
        attempts: 0,
      };
      await new Promise((ok, fail) => {
        const r = indexedDB.open('lentera-outbox');
        r.onerror = () => fail(r.error);
        r.onsuccess = () => {
          const tx = r.result.transaction('events', 'readwrite');
          tx.objectStore('events').put(event);
          tx.oncomplete = () => ok();
          tx.onerror = () => fail(tx.error);
        };
      });
      return event.id;
    });
    const stored = (eventId) =>
      page.evaluate(
        (eid) =>
          new Promise((ok) => {
            const r = indexedDB.open('lentera-outbox');
            r.onsuccess = () => {
              const g = r.result.transaction('events').objectStore('events').get(eid);
              g.onsuccess = () => ok(g.result ?? null);
            };
          }),
        eventId,
      );
    await page.goto(`${e2e.server.baseUrl}/`);
    await page.getByRole('banner').getByText('1 belum tersinkron').waitFor();
    await page.getByText('1 catatan belajar tersimpan di perangkat ini dan belum terkirim ke server.').waitFor();
    await shot(page, 'dashboard-unsynced');
    // The flush on start failed: the event is still there, with an attempt.
    for (let i = 0; i < 60; i++) {
      const e = await stored(id);
      if (e && e.attempts >= 1) break;
      await page.waitForTimeout(250);
    }
    const waiting = await stored(id);
    assert.equal(waiting.status, 'pending');
    assert.ok(waiting.attempts >= 1, 'the failed flush was counted');

    // With the endpoint reachable, the server answers for the event: refused, with its reason.
    await page.unroute(syncUrl);
    await page.reload();
    await page.getByRole('banner').getByText('1 ditolak').waitFor();
    await page.getByText('1 catatan ditolak server dan perlu diperiksa.').waitFor();
    const refused = await stored(id);
    assert.equal(refused.status, 'rejected');
    assert.match(refused.reason, /unknown_course|not_enrolled/);
    await page.evaluate(
      (eventId) =>
        new Promise((ok) => {
          const r = indexedDB.open('lentera-outbox');
          r.onsuccess = () => {
            const tx = r.result.transaction('events', 'readwrite');
            tx.objectStore('events').delete(eventId);
            tx.oncomplete = () => ok();
          };
        }),
      id,
    );
    await page.reload();
    await page.getByText('Semua catatan belajar di perangkat ini sudah tersinkron.').waitFor();
  });

  journey('phone size: the pages fit 360 px and pass the accessibility check', async () => {
    const phone = await e2e.browser.newContext({ viewport: PHONE, bypassCSP: true, isMobile: true, hasTouch: true });
    const p = await phone.newPage();
    p.setDefaultTimeout(15_000);
    await p.goto(`${e2e.server.baseUrl}/login`);
    await p.getByRole('heading', { level: 1, name: 'Masuk ke Lentera' }).waitFor();
    await checkA11y(p, 'login (phone)');
    await shot(p, 'login');
    await login(p, e2e.server.baseUrl);
    await p.getByRole('heading', { level: 1, name: `Selamat datang, ${ADMIN.name}` }).waitFor();
    await shot(p, 'dashboard');
    await p.getByRole('button', { name: 'Menu' }).click();
    await p.getByRole('navigation', { name: 'Navigasi utama' }).getByRole('link', { name: 'Pengguna' }).waitFor();
    await checkA11y(p, 'menu (phone)');
    await shot(p, 'menu');
    for (const [path, heading, name] of [
      ['/users', 'Pengguna', 'users'],
      ['/users/new', 'Tambah pengguna', 'user-create'],
      ['/users/import', 'Impor pengguna dari CSV', 'import'],
      ['/opds', 'OPD', 'opds'],
      ['/profile', 'Profil', 'profile'],
    ]) {
      await p.goto(`${e2e.server.baseUrl}${path}`);
      await p.getByRole('heading', { level: 1, name: heading }).waitFor();
      await p.waitForLoadState('networkidle');
      const overflow = await p.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `${path} is ${overflow}px wider than the phone screen`);
      await checkA11y(p, `${path} (phone)`);
      await shot(p, name);
    }
    await p.goto(`${e2e.server.baseUrl}/users/import`);
    await p.getByLabel('Berkas CSV').setInputFiles({ name: 'pegawai.csv', mimeType: 'text/csv', buffer: Buffer.from(BAD_CSV) });
    await p.getByText(/Berkas ditolak: \d+ masalah ditemukan\./).waitFor();
    await shot(p, 'import-problems');
    await phone.close();
  });

  journey('rate limit: the login page says how long to wait', async () => {
    const other = await e2e.browser.newContext({ viewport: DESKTOP, bypassCSP: true });
    const p = await other.newPage();
    const nobody = 'tidak.ada@batanghari.go.id';
    for (let i = 0; i < LOGIN_LIMIT; i++) {
      const r = await p.request.post(`${e2e.server.baseUrl}/api/v1/auth/login`, { data: { login: nobody, password: 'x' } });
      assert.equal(r.status(), 401);
    }
    await login(p, e2e.server.baseUrl, 'x', nobody);
    const alert = p.getByRole('alert');
    await alert.getByText(/Terlalu banyak percobaan masuk\. Coba lagi dalam \d+ detik\./).waitFor();
    assert.equal(await p.getByRole('button', { name: 'Masuk' }).isDisabled(), true);
    await shot(p, 'login-rate-limited');
    await other.close();
  });

  journey('log out; a protected page asks to log in and comes back after', async () => {
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.getByRole('heading', { level: 1, name: 'Masuk ke Lentera' }).waitFor();
    await page.goto(`${e2e.server.baseUrl}/users?q=dewi`);
    await page.waitForURL(/\/login\?next=/);
    await page.getByLabel(/NIP atau email/).fill(ADMIN.email);
    await page.getByLabel(/^Kata sandi$/).fill(ADMIN.password);
    await page.getByRole('button', { name: 'Masuk' }).click();
    await page.waitForURL(/\/users\?q=dewi$/);
    await page.getByText('1 pengguna', { exact: true }).waitFor();
    await page.getByRole('button', { name: 'Keluar' }).click();
    await page.getByRole('heading', { level: 1, name: 'Masuk ke Lentera' }).waitFor();
    // The session is over on the server too: a reload stays on the login page.
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Masuk ke Lentera' }).waitFor();
  });
});
