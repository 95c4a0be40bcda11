// The outbox on IndexedDB (fake-indexeddb): events stay until the server acknowledges each one;
// failures keep everything; duplicates count as delivered; rejected events keep their reason;
// nothing is in flight twice.
import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Outbox, httpTransport, type Counts, type EventResult, type Transport, type WireEvent } from '../src/lib/outbox';

let n = 0;
const open: Outbox[] = [];

function outbox(transport: Transport, opts: Partial<ConstructorParameters<typeof Outbox>[0]> = {}) {
  const o = new Outbox({ transport, dbName: `outbox-test-${++n}`, ...opts });
  open.push(o);
  return o;
}

afterEach(() => {
  while (open.length) open.pop()!.close();
});

const accept: Transport = async (events) => events.map((e) => ({ id: e.id, status: 'accepted' }));

describe('Outbox', () => {
  it('gives every event a UUID and counts what waits', async () => {
    const o = outbox(accept);
    await o.setOwner('user-1');
    const a = await o.add('lesson.completed', { lesson: 'apa-itu-data' });
    const b = await o.add('lesson.completed', { lesson: 'tipe-data' });
    expect(a.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(a.id).not.toBe(b.id);
    expect(o.counts).toEqual({ pending: 2, rejected: 0 });
    expect((await o.pending()).map((e) => e.payload)).toEqual([{ lesson: 'apa-itu-data' }, { lesson: 'tipe-data' }]);
  });

  it('removes events the server accepted', async () => {
    const sent: WireEvent[][] = [];
    const o = outbox(async (events) => (sent.push(events), accept(events)));
    await o.setOwner('user-1');
    const e = await o.add('quiz.answered', { q: 1 });
    const report = await o.flush();
    expect(report).toMatchObject({ sent: 1, acknowledged: 1, rejected: 0 });
    expect(sent[0]).toEqual([{ id: e.id, type: 'quiz.answered', payload: { q: 1 }, created_at: e.created_at }]);
    expect(o.counts).toEqual({ pending: 0, rejected: 0 });
  });

  it('keeps everything after a failed flush and sends it on the next', async () => {
    let up = false;
    const transport = vi.fn<Transport>(async (events) => {
      if (!up) throw new TypeError('Failed to fetch');
      return accept(events);
    });
    const o = outbox(transport);
    await o.setOwner('user-1');
    const ids = [(await o.add('a', 1)).id, (await o.add('b', 2)).id, (await o.add('c', 3)).id];

    const failed = await o.flush();
    expect(failed.error).toBeInstanceOf(TypeError);
    expect(failed.acknowledged).toBe(0);
    const kept = await o.pending();
    expect(kept.map((e) => e.id)).toEqual(ids);
    expect(kept.every((e) => e.attempts === 1 && e.last_error === 'Failed to fetch')).toBe(true);
    expect(o.counts.pending).toBe(3);

    up = true;
    const ok = await o.flush();
    expect(ok).toMatchObject({ sent: 3, acknowledged: 3 });
    expect(transport.mock.calls[1][0].map((e) => e.id)).toEqual(ids);
    expect(o.counts.pending).toBe(0);
  });

  it('treats a duplicate as delivered, keeps a rejected event with its reason, and keeps unanswered ones', async () => {
    const o = outbox(async (events): Promise<EventResult[]> => [
      { id: events[0].id, status: 'duplicate' },
      { id: events[1].id, status: 'rejected', reason: 'lesson_not_found' },
      // events[2]: no answer at all
    ]);
    await o.setOwner('user-1');
    await o.add('a', 1);
    const b = await o.add('b', 2);
    const c = await o.add('c', 3);

    const report = await o.flush();

    expect(report).toMatchObject({ sent: 3, acknowledged: 1, rejected: 1 });
    expect((await o.rejected()).map((e) => [e.id, e.reason])).toEqual([[b.id, 'lesson_not_found']]);
    expect((await o.pending()).map((e) => e.id)).toEqual([c.id]);
    expect(o.counts).toEqual({ pending: 1, rejected: 1 });

    await o.discard(b.id);
    expect(o.counts).toEqual({ pending: 1, rejected: 0 });
  });

  it('never has an event in flight twice when flushes overlap', async () => {
    let inFlight = 0;
    let maxInFlight = 0;
    const seen = new Map<string, number>();
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const transport: Transport = async (events) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      for (const e of events) seen.set(e.id, (seen.get(e.id) ?? 0) + 1);
      await gate;
      inFlight--;
      return accept(events);
    };
    const o = outbox(transport);
    await o.setOwner('user-1');
    for (let i = 0; i < 5; i++) await o.add('e', i);

    const first = o.flush();
    const second = o.flush();
    const third = o.flush();
    expect(second).toBe(first);
    expect(third).toBe(first);
    expect(o.flushing).toBe(true);
    await new Promise((r) => setTimeout(r, 10));
    release();
    await Promise.all([first, second, third]);

    expect(maxInFlight).toBe(1);
    expect([...seen.values()].every((count) => count === 1)).toBe(true);
    expect(seen.size).toBe(5);
    expect(o.counts.pending).toBe(0);
  });

  it('skips its turn while another tab holds the flush lock', async () => {
    const transport = vi.fn<Transport>(accept);
    // Another tab holds the lock: ifAvailable gives this tab no lock.
    const locks = {
      async request<T>(_name: string, _opts: { ifAvailable: boolean }, cb: (lock: unknown) => Promise<T>): Promise<T> {
        return cb(null);
      },
    };
    const o = outbox(transport, { locks });
    await o.setOwner('user-1');
    await o.add('e', 1);
    const report = await o.flush();
    expect(report.skipped).toBe(true);
    expect(transport).not.toHaveBeenCalled();
    expect(o.counts.pending).toBe(1);
  });

  it('sends in batches, and events added during a flush go in a later batch', async () => {
    const batches: string[][] = [];
    let o!: Outbox;
    const transport: Transport = async (events) => {
      batches.push(events.map((e) => e.payload as string));
      if (batches.length === 1) await o.add('late', 'late');
      return accept(events);
    };
    o = outbox(transport, { batchSize: 2 });
    await o.setOwner('user-1');
    for (const p of ['a', 'b', 'c']) await o.add('e', p);
    await o.flush();
    expect(batches).toEqual([['a', 'b'], ['c', 'late']]);
    expect(o.counts.pending).toBe(0);
  });

  it("counts and sends only the signed-in owner's events", async () => {
    const sent: unknown[] = [];
    const o = outbox(async (events) => (sent.push(...events.map((e) => e.payload)), accept(events)));
    await o.setOwner('ani');
    await o.add('e', 'ani-1');
    await o.setOwner('budi');
    await o.add('e', 'budi-1');
    expect(o.counts.pending).toBe(1);
    await o.flush();
    expect(sent).toEqual(['budi-1']);
    await o.setOwner('ani');
    expect(o.counts.pending).toBe(1);
    await o.setOwner(null);
    expect(o.counts.pending).toBe(0);
    await expect(o.add('e', 'nobody')).rejects.toThrow(/no owner/);
  });

  it('tells subscribers the live count (the Svelte store contract)', async () => {
    const o = outbox(accept);
    const seen: Counts[] = [];
    const stop = o.subscribe((c) => seen.push(c));
    await o.setOwner('user-1');
    await o.add('e', 1);
    await o.add('e', 2);
    await o.flush();
    stop();
    await o.add('e', 3);
    expect(seen.map((c) => c.pending)).toEqual([0, 1, 2, 0]);
  });

  it('keeps events across a reopen of the database', async () => {
    const dbName = `outbox-test-persist-${++n}`;
    const a = new Outbox({ transport: accept, dbName });
    await a.setOwner('user-1');
    const e = await a.add('e', 1);
    a.close();
    const b = new Outbox({ transport: accept, dbName });
    open.push(b);
    await b.setOwner('user-1');
    expect((await b.pending()).map((x) => x.id)).toEqual([e.id]);
  });
});

describe('httpTransport', () => {
  it('posts the events and reads the results', async () => {
    const fetch = vi.fn(async (req: Request) => {
      expect(req.method).toBe('POST');
      expect(new URL(req.url).pathname).toBe('/api/v1/sync/events');
      const body = (await req.json()) as { events: WireEvent[] };
      return new Response(JSON.stringify({ results: body.events.map((e) => ({ id: e.id, status: 'accepted' })) }), { status: 200 });
    });
    const send = httpTransport('/api/v1/sync/events', fetch, 'http://lentera.test');
    const results = await send([{ id: 'x', type: 't', payload: {}, created_at: '2026-01-01T00:00:00Z' }]);
    expect(results).toEqual([{ id: 'x', status: 'accepted' }]);
  });

  it('fails on an error status or an answer without results (so the outbox keeps everything)', async () => {
    const e = { id: 'x', type: 't', payload: {}, created_at: '' };
    await expect(httpTransport('/s', async () => new Response('{}', { status: 503 }), 'http://t')([e])).rejects.toThrow(/503/);
    await expect(httpTransport('/s', async () => new Response('{}', { status: 200 }), 'http://t')([e])).rejects.toThrow(/results/);
  });
});

describe('Outbox.dropPending', () => {
  it('drops the pending events a predicate picks, and only those', async () => {
    const o = outbox(async () => {
      throw new Error('offline');
    });
    await o.setOwner('user-1');
    await o.add('lesson_opened', { course: 'c', lesson_id: 'a' });
    await o.add('lesson_opened', { course: 'c', lesson_id: 'b' });
    await o.add('lesson_completed', { course: 'c', lesson_id: 'a' });
    const dropped = await o.dropPending((e) => e.type === 'lesson_opened' && (e.payload as { lesson_id: string }).lesson_id === 'a');
    expect(dropped).toBe(1);
    expect((await o.pending()).map((e) => [e.type, (e.payload as { lesson_id: string }).lesson_id])).toEqual([
      ['lesson_opened', 'b'],
      ['lesson_completed', 'a'],
    ]);
    expect(o.counts.pending).toBe(2);
  });
});
