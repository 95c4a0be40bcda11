// Pure parts of the learning pages: the sync endpoint's wire format, the reading clock, the quiz
// text renderer, download file names.
import { describe, expect, it } from 'vitest';
import { fileNameFrom, withQuery } from '../src/lib/download';
import { asPhrasing, escapeHtml, miniMarkdown } from '../src/lib/mini-markdown';
import { ReadingClock } from '../src/lib/reading-clock';
import { fromServerResults, progressTransport, toServerEvent } from '../src/lib/sync-wire';

const wire = (id: string, type: string, payload: unknown) => ({ id, type, payload, created_at: '2026-11-27T03:00:00.000Z' });

describe('sync wire format', () => {
  it('puts the course beside the event and the rest in its kind', () => {
    expect(toServerEvent(wire('u1', 'time_spent', { course: 'kursus-a', lesson_id: 'l1', seconds: 60 }))).toEqual({
      client_id: 'u1',
      course: 'kursus-a',
      kind: { type: 'time_spent', lesson_id: 'l1', seconds: 60 },
      occurred_at: '2026-11-27T03:00:00.000Z',
    });
  });

  it('reads verdicts by client id or by position, with the rejection reason', () => {
    const events = [wire('a', 'lesson_opened', {}), wire('b', 'lesson_completed', {}), wire('c', 'position', {})];
    expect(
      fromServerResults(events, [
        { index: 0, client_id: 'a', status: 'accepted' },
        { index: 1, client_id: null, status: 'rejected', code: 'unknown_lesson', message: 'no such lesson' },
        { index: 2, client_id: 'c', status: 'duplicate' },
        { index: 3, status: 'weird' },
      ]),
    ).toEqual([
      { id: 'a', status: 'accepted', reason: undefined },
      { id: 'b', status: 'rejected', reason: 'unknown_lesson: no such lesson' },
      { id: 'c', status: 'duplicate', reason: undefined },
    ]);
  });

  it('posts the batch and fails on an error answer (so the outbox keeps it)', async () => {
    const sent: unknown[] = [];
    const ok = progressTransport(async (r) => {
      sent.push(await r.json());
      return new Response(JSON.stringify({ results: [{ index: 0, client_id: 'a', status: 'accepted' }] }), { status: 200 });
    }, 'http://x');
    expect(await ok([wire('a', 'lesson_opened', { course: 'k', lesson_id: 'l' })])).toEqual([{ id: 'a', status: 'accepted', reason: undefined }]);
    expect(sent).toEqual([{ events: [{ client_id: 'a', course: 'k', kind: { type: 'lesson_opened', lesson_id: 'l' }, occurred_at: '2026-11-27T03:00:00.000Z' }] }]);
    const down = progressTransport(async () => new Response('nope', { status: 503 }), 'http://x');
    await expect(down([wire('a', 'lesson_opened', {})])).rejects.toThrow(/503/);
  });
});

describe('ReadingClock', () => {
  it('hands over full chunks of visible time and the rest on pause', () => {
    let now = 0;
    const out: number[] = [];
    const clock = new ReadingClock((s) => out.push(s), { chunkSeconds: 60, minimumSeconds: 3, now: () => now });
    clock.resume();
    now = 150_000;
    clock.tick();
    expect(out).toEqual([60, 60]);
    now = 170_000;
    clock.pause(true);
    expect(out).toEqual([60, 60, 50]);
    // Hidden time does not count.
    now = 500_000;
    clock.resume();
    now = 501_000;
    clock.pause(true);
    expect(out).toEqual([60, 60, 50]);
    expect(clock.counted).toBe(1);
  });
});

describe('miniMarkdown', () => {
  it('escapes everything before formatting', () => {
    expect(miniMarkdown('<img src=x onerror=alert(1)> **tebal**')).toBe('<p>&lt;img src=x onerror=alert(1)&gt; <strong>tebal</strong></p>');
    expect(escapeHtml(`"'&`)).toBe('&quot;&#39;&amp;');
  });

  it('knows paragraphs, lists, code and safe links only', () => {
    expect(miniMarkdown('Satu\ndua\n\n- a\n- *b*\n\n`x*y*`')).toBe('<p>Satu<br>dua</p><ul><li>a</li><li><em>b</em></li></ul><p><code>x*y*</code></p>');
    expect(miniMarkdown('[ok](https://lentera.test/a) [no](javascript:alert(1))')).toBe(
      '<p><a href="https://lentera.test/a" rel="noopener noreferrer" target="_blank">ok</a> [no](javascript:alert(1))</p>',
    );
    expect(asPhrasing('<p>a</p><p>b</p>')).toBe('a<br><br>b');
  });
});

describe('downloads', () => {
  it('takes the file name from Content-Disposition', () => {
    expect(fileNameFrom('attachment; filename="laporan-per-opd.csv"', 'x')).toBe('laporan-per-opd.csv');
    expect(fileNameFrom("attachment; filename*=UTF-8''laporan%20JP.xlsx", 'x')).toBe('laporan JP.xlsx');
    expect(fileNameFrom(null, 'cadangan.csv')).toBe('cadangan.csv');
    expect(withQuery('/api/v1/reports/opds', { year: 2026, opd_id: '', format: 'csv', x: undefined })).toBe('/api/v1/reports/opds?year=2026&format=csv');
  });
});
