// Programme pages for hr: Jakarta days as the API's UTC times, assignment bodies.
import { describe, expect, it } from 'vitest';
import { assignmentBody, countLines, jakartaDayEnd, jakartaDayStart } from '../src/lib/programmes';

describe('cohort dates', () => {
  it('sends a Jakarta day as its UTC start and end', () => {
    expect(jakartaDayStart('2027-01-15')).toBe('2027-01-14T17:00:00');
    expect(jakartaDayEnd('2027-01-15')).toBe('2027-01-15T16:59:59');
    expect(jakartaDayStart('2027-03-01')).toBe('2027-02-28T17:00:00');
  });

  it('refuses what is not a day', () => {
    expect(jakartaDayStart('')).toBeNull();
    expect(jakartaDayEnd('15/01/2027')).toBeNull();
    expect(jakartaDayStart('2027-13-45')).toBeNull();
  });
});

describe('assignment rules', () => {
  it('builds the tagged body of each kind', () => {
    expect(assignmentBody('opd', 'abc')).toEqual({ kind: 'opd', opd_id: 'abc' });
    expect(assignmentBody('position', '  Perawat Terampil ')).toEqual({ kind: 'position', position: 'Perawat Terampil' });
    expect(assignmentBody('employment_type', 'PPPK')).toEqual({ kind: 'employment_type', employment_type: 'PPPK' });
  });

  it('needs a value, and PNS or PPPK for the employment type', () => {
    expect(assignmentBody('position', '  ')).toBeNull();
    expect(assignmentBody('employment_type', 'honorer')).toBeNull();
  });

  it('counts the NIPs of a pasted list', () => {
    expect(countLines('198609262015051001\n\n  199204052022212002 \r\n')).toBe(2);
    expect(countLines('')).toBe(0);
  });
});
