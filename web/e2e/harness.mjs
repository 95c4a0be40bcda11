// Starts the real server for the end-to-end tests: a temporary data directory, a fresh SQLite
// database (or a fresh PostgreSQL database when LENTERA_E2E_DATABASE_URL is set), seeded with the
// CLI (one OPD, one admin), then `lentera serve` on a free port, waited for at /readyz.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const webDir = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const ADMIN = { email: 'admin@batanghari.go.id', name: 'Admin Lentera', password: 'Rahasia-Admin-2026' };
export const OPD = 'Dinas Kesehatan';
export const LOGIN_LIMIT = 10;

function freePort() {
  return new Promise((ok, fail) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => ok(port));
    });
  });
}

function run(bin, args, env, input) {
  const r = spawnSync(bin, args, { env, input, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) {
    throw new Error(`\`lentera ${args.join(' ')}\` failed (${r.status ?? r.signal}):\n${r.stdout}\n${r.stderr}`);
  }
  return r.stdout;
}

/** A fresh PostgreSQL database on the server of LENTERA_E2E_DATABASE_URL. */
function createPgDatabase(url) {
  const u = new URL(url);
  const name = `lentera_e2e_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const psql = (sql) => {
    const args = ['-h', u.hostname, '-p', u.port || '5432', '-U', decodeURIComponent(u.username || 'postgres'), '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-c', sql];
    const env = { ...process.env, ...(u.password ? { PGPASSWORD: decodeURIComponent(u.password) } : {}) };
    const r = spawnSync('psql', args, { env, encoding: 'utf8', timeout: 30_000 });
    if (r.status !== 0) throw new Error(`psql ${sql} failed: ${r.error?.message ?? ''}${r.stderr}`);
  };
  psql(`CREATE DATABASE ${name}`);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => psql(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

/** The demo accounts `lentera serve --demo` creates (crates/server/src/demo.rs). */
export const DEMO_PASSWORD = process.env.LENTERA_DEMO_PASSWORD ?? 'Lentera#2026';
export const DEMO = {
  admin: 'admin@lentera.test',
  hr: 'bkpsdm@lentera.test',
  instructor: 'widyaiswara@lentera.test',
  learner: 'budi@lentera.test',
  learner2: 'siti@lentera.test',
  mentor: 'mentor@lentera.test',
};

/**
 * Starts `lentera serve` on a fresh database. By default it is seeded with the CLI (one OPD, one
 * admin); with `{ demo: true }` it runs `serve --demo` on an empty database instead: the regency's
 * OPDs, one account per role (DEMO, password DEMO_PASSWORD) and the sample courses from
 * LENTERA_CONTENT_DIR (default: the repository's content/). `env` adds or overrides settings
 * (e.g. an SMTP server for the notification worker).
 */
export async function startServer({ demo = false, env: extra = {} } = {}) {
  const bin = resolve(webDir, process.env.LENTERA_BIN ?? '../target/debug/lentera');
  if (!existsSync(bin)) throw new Error(`e2e: no server binary at ${bin}: run \`cargo build -p lentera-server\` or set LENTERA_BIN`);
  if (!existsSync(join(webDir, 'dist', 'index.html'))) throw new Error('e2e: web/dist is missing: run `npm run build` first');

  const dataDir = mkdtempSync(join(tmpdir(), 'lentera-e2e-'));
  const pg = process.env.LENTERA_E2E_DATABASE_URL ? createPgDatabase(process.env.LENTERA_E2E_DATABASE_URL) : null;
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const env = {
    ...process.env,
    LENTERA_DATA_DIR: dataDir,
    LENTERA_DATABASE_URL: pg ? pg.url : join(dataDir, 'lentera.db'),
    LENTERA_BIND: `127.0.0.1:${port}`,
    LENTERA_PUBLIC_URL: baseUrl,
    LENTERA_LOG_FORMAT: 'json',
    LENTERA_METRICS: 'false',
    // Room for the journeys' own logins; the rate-limit test makes one more than this.
    LENTERA_API__LOGIN_LIMITS__PER_ACCOUNT_PER_MINUTE: String(LOGIN_LIMIT),
    LENTERA_CONTENT_DIR: process.env.LENTERA_CONTENT_DIR ?? resolve(webDir, '..', 'content'),
    LENTERA_DEMO_PASSWORD: DEMO_PASSWORD,
    ...extra,
  };
  delete env.LENTERA_CONFIG;

  if (!demo) {
    run(bin, ['opd', 'add', OPD], env);
    run(bin, ['user', 'add', '--email', ADMIN.email, '--name', ADMIN.name, '--role', 'admin', '--password-stdin'], env, `${ADMIN.password}\n`);
  }

  const logPath = join(dataDir, 'server.log');
  const log = createWriteStream(logPath);
  const child = spawn(bin, demo ? ['serve', '--demo'] : ['serve'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  let exited = null;
  child.on('exit', (code, signal) => (exited = code ?? signal));

  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`e2e: lentera serve exited (${exited}); see ${logPath}`);
    try {
      const r = await fetch(`${baseUrl}/readyz`);
      if (r.ok) break;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`e2e: lentera serve not ready after 60 s; see ${logPath}`);
    await new Promise((r) => setTimeout(r, 200));
  }

  // The app itself must come from the server (web/dist, embedded or read from disk).
  const shell = await fetch(`${baseUrl}/`).then(async (r) => ({ status: r.status, body: await r.text() }));
  if (shell.status !== 200 || !shell.body.includes('<div id="app">')) {
    child.kill('SIGTERM');
    throw new Error(
      `e2e: ${bin} answers / with ${shell.status} instead of the web app (${shell.body.slice(0, 160).trim()}). ` +
        'The server must serve web/dist: build the web app first, and check the folder of the RustEmbed in crates/server/src/web_app.rs.',
    );
  }

  return {
    baseUrl,
    dataDir,
    logPath,
    database: pg ? 'postgresql' : 'sqlite',
    async stop() {
      if (exited === null) {
        child.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => (child.kill('SIGKILL'), r()), 10_000);
          child.on('exit', () => (clearTimeout(t), r()));
        });
      }
      log.end();
      try {
        pg?.drop();
      } catch (err) {
        console.warn(String(err));
      }
      if (!process.env.LENTERA_E2E_KEEP) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
