// External training on the JP page: the unit a form counts in, the amount sent to the API, the
// year's breakdown by state.
import { describe, expect, it } from 'vitest';
import { breakdown, buildAmount, daysInclusive, formLabel, jakartaToday, parseDecimal, recordFieldOf, unitOf } from '../src/lib/jp';
import { proofFileName } from '../src/lib/proofs';
import type { JpLine } from '../src/api/views';

describe('conversion rules', () => {
  it('maps each rule to the unit its amount is given in', () => {
    expect(unitOf({ rule: 'stated_jp' })).toBe('stated_jp');
    expect(unitOf({ rule: 'per_day' })).toBe('days');
    expect(unitOf({ rule: 'actual_time_capped_per_day' })).toBe('time');
    expect(unitOf({ rule: 'per_activity' })).toBe('activities');
    expect(unitOf({ rule: 'per_session' })).toBe('sessions');
    expect(unitOf({ rule: 'something_new' })).toBe('stated_jp');
    expect(unitOf(null)).toBe('stated_jp');
  });

  it('counts the days of a range, both ends included', () => {
    expect(daysInclusive('2026-03-10', '2026-03-11')).toBe(2);
    expect(daysInclusive('2026-03-10', '2026-03-10')).toBe(1);
    expect(daysInclusive('2026-02-28', '2026-03-01')).toBe(2);
    expect(daysInclusive('2026-03-11', '2026-03-10')).toBeNull();
    expect(daysInclusive('', '2026-03-10')).toBeNull();
  });

  it('reads decimals with a comma or a dot, two places at most', () => {
    expect(parseDecimal('7,5')).toBe(7.5);
    expect(parseDecimal(' 12.25 ')).toBe(12.25);
    expect(parseDecimal('1.234')).toBeNull();
    expect(parseDecimal('-3')).toBeNull();
    expect(parseDecimal('')).toBeNull();
  });
});

describe('the amount sent to the API', () => {
  it('takes stated JP as typed', () => {
    expect(buildAmount('stated_jp', { jp: '30' }, 3)).toEqual({ unit: 'stated_jp', jp: 30 });
    expect(buildAmount('stated_jp', { jp: '0' }, 3)).toBeNull();
    expect(buildAmount('stated_jp', {}, 3)).toBeNull();
  });

  it('defaults days to the span of the dates', () => {
    expect(buildAmount('days', {}, 2)).toEqual({ unit: 'days', days: 2 });
    expect(buildAmount('days', { days: '1' }, 2)).toEqual({ unit: 'days', days: 1 });
    expect(buildAmount('days', {}, null)).toBeNull();
    expect(buildAmount('days', { days: 'dua' }, 2)).toBeNull();
  });

  it('turns hours and minutes into minutes over days', () => {
    expect(buildAmount('time', { hours: '3', minutes: '30' }, 2)).toEqual({ unit: 'time', minutes: 210, days: 2 });
    expect(buildAmount('time', { minutes: '90', days: '1' }, 5)).toEqual({ unit: 'time', minutes: 90, days: 1 });
    expect(buildAmount('time', {}, 2)).toBeNull();
    expect(buildAmount('time', { hours: '2' }, null)).toBeNull();
  });

  it('counts sessions over months and activities (one by default)', () => {
    expect(buildAmount('sessions', { sessions: '4' }, 1)).toEqual({ unit: 'sessions', sessions: 4, months: 1 });
    expect(buildAmount('sessions', { sessions: '4', months: '2' }, 1)).toEqual({ unit: 'sessions', sessions: 4, months: 2 });
    expect(buildAmount('sessions', {}, 1)).toBeNull();
    expect(buildAmount('activities', {}, 1)).toEqual({ unit: 'activities', activities: 1 });
    expect(buildAmount('activities', { activities: '0' }, 1)).toBeNull();
  });
});

describe('the year in lines', () => {
  const line = (jp: number, counted: boolean, excluded: JpLine['excluded_because'], approval: JpLine['approval']): JpLine => ({
    entry_id: String(Math.random()),
    title: 't',
    completed_at: '2026-03-11T00:00:00Z',
    jp,
    source: approval ? 'external' : 'course',
    counted,
    excluded_because: excluded,
    provider: 'p',
    course_id: null,
    form: null,
    approval,
  });

  it('adds counted, pending and rejected JP apart', () => {
    const b = breakdown({
      lines: [
        line(2, true, null, null),
        line(0.1, true, null, 'approved'),
        line(0.2, true, null, 'approved'),
        line(8, false, 'pending_approval', 'pending'),
        line(4, false, 'rejected', 'rejected'),
        line(3, false, 'duplicate', null),
      ],
    });
    expect(b).toEqual({ counted: 2.3, pending: 8, rejected: 4, pendingCount: 1, rejectedCount: 1 });
  });
});

describe('problems and files', () => {
  it('puts the server\'s problems at their fields', () => {
    expect(recordFieldOf('invalid_dates')).toBe('end_date');
    expect(recordFieldOf('wrong_amount_unit')).toBe('amount');
    expect(recordFieldOf('unsupported_proof_type')).toBe('proof');
    expect(recordFieldOf('already_decided')).toBeNull();
  });

  it('names a downloaded proof by its title and media type', () => {
    expect(proofFileName('bukti-Seminar Nasional: SPBE/2026', 'application/pdf')).toBe('bukti-Seminar-Nasional-SPBE-2026.pdf');
    expect(proofFileName('sertifikat', 'image/jpeg; charset=binary')).toBe('sertifikat.jpg');
    expect(proofFileName('***', null)).toBe('bukti.bin');
  });

  it('knows today in Jakarta, seven hours ahead of UTC', () => {
    expect(jakartaToday(new Date('2026-12-31T17:30:00Z'))).toBe('2027-01-01');
    expect(jakartaToday(new Date('2026-12-31T16:59:00Z'))).toBe('2026-12-31');
  });
});

describe('form names', () => {
  const forms = [{ id: 'seminar', siasn_id: 9, name_id: 'Seminar', name_en: 'Seminar or conference' }];
  it('names a record\'s form in the language, with its SIASN id', () => {
    expect(formLabel(forms, 'seminar', 'Seminar', 9, 'en')).toBe('Seminar or conference (SIASN 9)');
    expect(formLabel(forms, 'seminar', 'Seminar', 9, 'id')).toBe('Seminar (SIASN 9)');
    expect(formLabel([], 'magang', 'Magang', 10, 'en')).toBe('Magang (SIASN 10)');
    expect(formLabel([], 'baru', null, null, 'id')).toBe('baru');
  });
});
