// Programme pages for hr: Jakarta days as the API's UTC times, assignment bodies.
import { describe, expect, it } from 'vitest';
import { assignmentBody, countLines, defaultProgrammeJp, jakartaDayEnd, jakartaDayStart, programmeCoursesBody, togglePick } from '../src/lib/programmes';

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

describe("a programme's courses", () => {
  const lines = [
    { course_id: 'a', title: 'A', jp: 4, required: true },
    { course_id: 'b', title: 'B', jp: 3, required: false },
    { course_id: 'c', title: 'C', jp: 1.5, required: false },
  ];

  it('sends the courses in order with the electives needed', () => {
    expect(programmeCoursesBody(lines, 1)).toEqual({
      body: {
        courses: [
          { course: 'a', required: true },
          { course: 'b', required: false },
          { course: 'c', required: false },
        ],
        electives_needed: 1,
      },
    });
  });

  it('refuses no course and more electives needed than offered', () => {
    expect(programmeCoursesBody([], 0)).toEqual({ error: 'hrProgramme.coursesRequired' });
    expect(programmeCoursesBody(lines, 3)).toEqual({ error: 'problem.electives_needed_too_many' });
    expect(programmeCoursesBody(lines, -1)).toEqual({ error: 'problem.electives_needed_too_many' });
  });

  it('counts the required courses and the cheapest electives as the default JP', () => {
    expect(defaultProgrammeJp(lines, 0)).toBe(4);
    expect(defaultProgrammeJp(lines, 1)).toBe(5.5);
    expect(defaultProgrammeJp(lines, 2)).toBe(8.5);
  });
});

describe('people picked one by one', () => {
  it('adds once and removes on a second pick, in picking order', () => {
    const budi = { id: '1', name: 'Budi' };
    const siti = { id: '2', name: 'Siti' };
    let picked = togglePick([], budi);
    picked = togglePick(picked, siti);
    expect(picked.map((p) => p.name)).toEqual(['Budi', 'Siti']);
    expect(togglePick(picked, { ...budi }).map((p) => p.name)).toEqual(['Siti']);
  });
});
