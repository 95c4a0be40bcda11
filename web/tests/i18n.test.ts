// The catalogues have the same keys and placeholders; problem codes read as sentences in both
// languages (falling back to the server's detail); dates are in Asia/Jakarta.
import { beforeAll, describe, expect, it } from 'vitest';
import { en } from '../src/i18n/en';
import { id } from '../src/i18n/id';
import {
  fieldOf,
  formatDate,
  formatDateTime,
  itemMessage,
  loadCatalogue,
  normaliseCode,
  parseTimestamp,
  problemMessage,
  translate,
} from '../src/i18n/translate';

beforeAll(() => loadCatalogue('en'));

const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('catalogues', () => {
  it('have the same keys', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(id).sort());
  });

  it('use the same placeholders for each key', () => {
    for (const key of Object.keys(id) as (keyof typeof id)[]) {
      expect(placeholders(en[key]), key).toEqual(placeholders(id[key]));
    }
  });

  it('have no empty message', () => {
    for (const [k, v] of [...Object.entries(id), ...Object.entries(en)]) expect(v.trim(), k).not.toBe('');
  });

  it('fill placeholders', () => {
    expect(translate('id', 'dashboard.welcome', { name: 'Budi' })).toBe('Selamat datang, Budi');
    expect(translate('en', 'dashboard.welcome', { name: 'Budi' })).toBe('Welcome, Budi');
  });
});

describe('problem codes', () => {
  const p = (code: string, detail: string | null = null, status = 422, retryAfter: number | null = null) => ({ code, detail, status, retryAfter });

  it('translate known codes in both languages', () => {
    expect(problemMessage('id', p('invalid_credentials', 'wrong login name or password', 401))).toBe('NIP/email atau kata sandi salah.');
    expect(problemMessage('en', p('invalid_credentials', 'wrong login name or password', 401))).toBe('Wrong NIP/e-mail or password.');
    expect(problemMessage('id', p('duplicate_email'))).toBe('Email ini sudah dipakai akun lain.');
  });

  it('read NIP codes of a request field and of a CSV row alike', () => {
    for (const code of ['invalid_nip_length', 'invalid_nip_nip_length', 'nip_length']) {
      expect(normaliseCode(code)).toBe('nip_length');
      expect(problemMessage('id', p(code))).toBe('NIP harus tepat 18 digit.');
      expect(fieldOf(code)).toBe('nip');
    }
    expect(problemMessage('en', p('invalid_nip_sex_digit'))).toMatch(/digit 15/);
  });

  it('say how long to wait after a rate limit', () => {
    expect(problemMessage('id', p('rate_limited', null, 429, 42))).toBe('Terlalu banyak percobaan. Coba lagi dalam 42 detik.');
    expect(problemMessage('en', p('rate_limited', null, 429, 42))).toBe('Too many attempts. Try again in 42 seconds.');
  });

  it("fall back to the server's detail, then to the status", () => {
    expect(problemMessage('id', p('some_new_code', 'the server explains'))).toBe('the server explains');
    expect(problemMessage('en', p('some_new_code', null, 418))).toBe('The request failed (code 418).');
    expect(problemMessage('en', p('some_new_code', null, 503))).toBe('Something went wrong on the server. Try again later.');
  });

  it('translate CSV row problems, else keep their message', () => {
    expect(itemMessage('id', { row: 3, column: 'opd', code: 'unknown_opd', message: 'no OPD named "X"' })).toBe('OPD ini tidak ada di daftar OPD.');
    expect(itemMessage('en', { row: 3, code: 'brand_new', message: 'explained by the server' })).toBe('explained by the server');
  });

  it('point field problems at their field', () => {
    expect(fieldOf('invalid_email')).toBe('email');
    expect(fieldOf('duplicate_email')).toBe('email');
    expect(fieldOf('password_too_short')).toBe('password');
    expect(fieldOf('wrong_password')).toBe('current_password');
    expect(fieldOf('forbidden')).toBeNull();
  });
});

describe('dates', () => {
  it('show times in Asia/Jakarta (WIB, UTC+7)', () => {
    // 21:23 UTC is 04:23 the next day in Jakarta.
    expect(formatDateTime('id', '2026-11-27T21:23:00Z')).toBe('28 Nov 2026, 04.23 WIB');
    expect(formatDateTime('en', '2026-11-27T21:23:00Z')).toBe('28 Nov 2026, 04:23 WIB');
    expect(formatDate('id', '2026-11-27T21:23:00Z')).toBe('28 November 2026');
    expect(formatDate('en', '2026-11-27T18:00:00Z')).toBe('28 November 2026');
  });

  it("read the server's naive timestamps as UTC", () => {
    expect(parseTimestamp('2026-11-27T21:23:00').toISOString()).toBe('2026-11-27T21:23:00.000Z');
    expect(parseTimestamp('2026-11-27T21:23:00.123456').toISOString()).toBe('2026-11-27T21:23:00.123Z');
    expect(parseTimestamp('2026-11-27T21:23:00+07:00').toISOString()).toBe('2026-11-27T14:23:00.000Z');
  });
});
