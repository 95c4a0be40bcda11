// The outbox: learning events recorded on this device (lesson read, quiz answered, …) wait in
// IndexedDB until the server has acknowledged each one, so nothing is lost offline and nothing
// is counted twice.
//
// - Every event gets a client-generated UUID (crypto.randomUUID()); the server deduplicates on it,
//   so sending an event again after a lost answer is safe.
// - flush() sends pending events in batches through a Transport (the sync endpoint is a
//   parameter). An event leaves the outbox only when the server answers `accepted` or
//   `duplicate` for it. `rejected` events stay, with the server's reason, for the learner to see.
//   A failed request (offline, 5xx, timeout) keeps everything for the next try.
// - One flush at a time: concurrent calls share the running flush, and with Web Locks another tab
//   flushing the same outbox makes this tab skip its turn. Nothing is in flight twice.
// - Events belong to an owner (the signed-in user's id): only the owner's events are counted and
//   sent, so a shared phone never sends one person's progress under another's login.
// - subscribe() follows the Svelte store contract: `$outbox.pending` in a component is the live
//   "N not yet synced" count (also across tabs, via BroadcastChannel).
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export type EventStatus = 'pending' | 'rejected';

export interface OutboxEvent<P = unknown> {
  id: string;
  owner: string;
  type: string;
  payload: P;
  /** When it happened on the device (ISO 8601, UTC). */
  created_at: string;
  /** Orders events as they were recorded. */
  seq: number;
  status: EventStatus;
  /** Flushes that carried this event without an answer for it. */
  attempts: number;
  /** The server's reason, for rejected events. */
  reason?: string;
  /** The last transport failure, for pending events. */
  last_error?: string;
}

/** What goes on the wire for one event. */
export interface WireEvent {
  id: string;
  type: string;
  payload: unknown;
  created_at: string;
}

export type ResultStatus = 'accepted' | 'duplicate' | 'rejected';

export interface EventResult {
  id: string;
  status: ResultStatus;
  reason?: string;
}

/** Sends one batch and returns the server's verdict for (some or all of) its events. Throws on failure. */
export type Transport = (events: WireEvent[]) => Promise<EventResult[]>;

export interface Counts {
  pending: number;
  rejected: number;
}

export interface FlushReport {
  sent: number;
  acknowledged: number;
  rejected: number;
  /** Set when a batch failed (the rest waits for the next flush). */
  error?: unknown;
  /** True when another flush (this tab or another) was already running. */
  skipped?: boolean;
}

interface LockManagerLike {
  request<T>(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => Promise<T>): Promise<T>;
}

export interface OutboxOptions {
  transport: Transport;
  dbName?: string;
  batchSize?: number;
  /** `navigator.locks`, to keep two tabs from sending the same events at once. */
  locks?: LockManagerLike | null;
  /** Makes ids (tests may pass a predictable one). */
  uuid?: () => string;
  now?: () => Date;
}

interface Schema extends DBSchema {
  events: {
    key: string;
    value: OutboxEvent;
    indexes: { by_owner_status_seq: [string, EventStatus, number] };
  };
}

const STORE = 'events';
const INDEX = 'by_owner_status_seq';

/**
 * The body and answer of the HTTP sync endpoint:
 * `POST {endpoint}` with `{"events": [{id, type, payload, created_at}]}` answered 200 with
 * `{"results": [{id, status: "accepted" | "duplicate" | "rejected", reason?}]}`. Any other answer
 * is a failed flush (everything is kept).
 */
export function httpTransport(endpoint: string, fetchFn: (input: Request) => Promise<Response>, baseUrl = ''): Transport {
  return async (events) => {
    const response = await fetchFn(
      new Request(baseUrl + endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ events }),
      }),
    );
    if (!response.ok) throw new Error(`sync endpoint answered ${response.status}`);
    const body = (await response.json()) as { results?: EventResult[] };
    if (!body || !Array.isArray(body.results)) throw new Error('sync endpoint answered without results');
    return body.results;
  };
}

export class Outbox {
  readonly #transport: Transport;
  readonly #dbName: string;
  readonly #batchSize: number;
  readonly #locks: LockManagerLike | null;
  readonly #uuid: () => string;
  readonly #now: () => Date;
  #db: Promise<IDBPDatabase<Schema>> | null = null;
  #owner: string | null = null;
  #flushing: Promise<FlushReport> | null = null;
  #seq = 0;
  #counts: Counts = { pending: 0, rejected: 0 };
  readonly #subscribers = new Set<(c: Counts) => void>();
  #channel: BroadcastChannel | null = null;

  constructor(opts: OutboxOptions) {
    this.#transport = opts.transport;
    this.#dbName = opts.dbName ?? 'lentera-outbox';
    this.#batchSize = Math.max(1, opts.batchSize ?? 50);
    this.#locks = opts.locks ?? null;
    this.#uuid = opts.uuid ?? (() => crypto.randomUUID());
    this.#now = opts.now ?? (() => new Date());
    if (typeof BroadcastChannel !== 'undefined') {
      this.#channel = new BroadcastChannel(`${this.#dbName}:changes`);
      this.#channel.onmessage = () => void this.refreshCounts();
    }
  }

  #open(): Promise<IDBPDatabase<Schema>> {
    this.#db ??= openDB<Schema>(this.#dbName, 1, {
      upgrade(db) {
        const store = db.createObjectStore(STORE, { keyPath: 'id' });
        store.createIndex(INDEX, ['owner', 'status', 'seq']);
      },
    });
    return this.#db;
  }

  get owner(): string | null {
    return this.#owner;
  }

  /** Whose events are counted and sent (the signed-in user's id), or null when nobody is. */
  async setOwner(owner: string | null): Promise<void> {
    this.#owner = owner;
    await this.refreshCounts();
  }

  /** Records an event for the current owner. */
  async add<P>(type: string, payload: P): Promise<OutboxEvent<P>> {
    if (!this.#owner) throw new Error('outbox: no owner (nobody is signed in)');
    const now = this.#now();
    const event: OutboxEvent<P> = {
      id: this.#uuid(),
      owner: this.#owner,
      type,
      payload,
      created_at: now.toISOString(),
      seq: now.getTime() * 1000 + (this.#seq++ % 1000),
      status: 'pending',
      attempts: 0,
    };
    const db = await this.#open();
    await db.put(STORE, event as OutboxEvent);
    await this.#changed();
    return event;
  }

  async #list(status: EventStatus, limit?: number): Promise<OutboxEvent[]> {
    if (!this.#owner) return [];
    const db = await this.#open();
    const range = IDBKeyRange.bound([this.#owner, status, -Infinity], [this.#owner, status, Infinity]);
    return db.getAllFromIndex(STORE, INDEX, range, limit);
  }

  /** The owner's events waiting to be sent, oldest first. */
  pending(): Promise<OutboxEvent[]> {
    return this.#list('pending');
  }

  /** The owner's events the server refused, with its reasons. */
  rejected(): Promise<OutboxEvent[]> {
    return this.#list('rejected');
  }

  /**
   * Drops the owner's pending events that `match` picks (an event a later one makes redundant,
   * e.g. "lesson opened" once the lesson is completed). Returns how many went.
   */
  async dropPending(match: (e: OutboxEvent) => boolean): Promise<number> {
    const gone = (await this.pending()).filter(match);
    if (gone.length === 0) return 0;
    const db = await this.#open();
    const tx = db.transaction(STORE, 'readwrite');
    for (const e of gone) {
      const current = await tx.store.get(e.id);
      if (current?.status === 'pending') await tx.store.delete(e.id);
    }
    await tx.done;
    await this.#changed();
    return gone.length;
  }

  /** Drops a rejected event once the learner has seen why. */
  async discard(id: string): Promise<void> {
    const db = await this.#open();
    const e = await db.get(STORE, id);
    if (e && e.status === 'rejected') {
      await db.delete(STORE, id);
      await this.#changed();
    }
  }

  get counts(): Counts {
    return this.#counts;
  }

  async refreshCounts(): Promise<Counts> {
    let counts: Counts = { pending: 0, rejected: 0 };
    if (this.#owner) {
      const db = await this.#open();
      const count = (status: EventStatus) =>
        db.countFromIndex(STORE, INDEX, IDBKeyRange.bound([this.#owner, status, -Infinity], [this.#owner, status, Infinity]));
      counts = { pending: await count('pending'), rejected: await count('rejected') };
    }
    if (counts.pending !== this.#counts.pending || counts.rejected !== this.#counts.rejected) {
      this.#counts = counts;
      for (const fn of this.#subscribers) fn(counts);
    }
    return counts;
  }

  async #changed(): Promise<void> {
    await this.refreshCounts();
    this.#channel?.postMessage('changed');
  }

  /** Svelte store contract: called at once and on every change. */
  subscribe(fn: (c: Counts) => void): () => void {
    this.#subscribers.add(fn);
    fn(this.#counts);
    return () => {
      this.#subscribers.delete(fn);
    };
  }

  /** Sends the owner's pending events. Concurrent calls share one run. */
  flush(): Promise<FlushReport> {
    if (this.#flushing) return this.#flushing;
    const run = async (): Promise<FlushReport> => {
      if (!this.#locks) return this.#flushNow();
      let ran = false;
      const report = await this.#locks.request(`${this.#dbName}:flush`, { ifAvailable: true }, async (lock) => {
        if (!lock) return { sent: 0, acknowledged: 0, rejected: 0, skipped: true } satisfies FlushReport;
        ran = true;
        return this.#flushNow();
      });
      return ran ? report : { ...report, skipped: true };
    };
    this.#flushing = run().finally(() => {
      this.#flushing = null;
    });
    return this.#flushing;
  }

  /** True while a flush of this tab is running. */
  get flushing(): boolean {
    return this.#flushing !== null;
  }

  async #flushNow(): Promise<FlushReport> {
    const report: FlushReport = { sent: 0, acknowledged: 0, rejected: 0 };
    const owner = this.#owner;
    if (!owner) return report;
    const tried = new Set<string>();
    const db = await this.#open();
    for (;;) {
      // Events added while this runs join later batches; an event the server did not answer
      // for is not sent again in the same flush.
      const batch = (await this.#list('pending', this.#batchSize + tried.size)).filter((e) => !tried.has(e.id)).slice(0, this.#batchSize);
      if (batch.length === 0 || this.#owner !== owner) break;
      batch.forEach((e) => tried.add(e.id));
      report.sent += batch.length;
      let results: EventResult[];
      try {
        results = await this.#transport(batch.map(({ id, type, payload, created_at }) => ({ id, type, payload, created_at })));
      } catch (error) {
        report.error = error;
        const message = error instanceof Error ? error.message : String(error);
        const tx = db.transaction(STORE, 'readwrite');
        for (const e of batch) {
          const current = await tx.store.get(e.id);
          if (current) await tx.store.put({ ...current, attempts: current.attempts + 1, last_error: message });
        }
        await tx.done;
        break;
      }
      const verdicts = new Map(results.map((r) => [r.id, r]));
      const tx = db.transaction(STORE, 'readwrite');
      for (const e of batch) {
        const verdict = verdicts.get(e.id);
        const current = await tx.store.get(e.id);
        if (!current) continue;
        if (verdict?.status === 'accepted' || verdict?.status === 'duplicate') {
          await tx.store.delete(e.id);
          report.acknowledged++;
        } else if (verdict?.status === 'rejected') {
          await tx.store.put({ ...current, status: 'rejected', reason: verdict.reason ?? 'rejected', attempts: current.attempts + 1 });
          report.rejected++;
        } else {
          await tx.store.put({ ...current, attempts: current.attempts + 1, last_error: 'no answer for this event' });
        }
      }
      await tx.done;
      await this.#changed();
    }
    return report;
  }

  /**
   * Flushes now, when the browser comes back online, and every `intervalMs` while events wait
   * (doubling the wait after each failure, up to `maxIntervalMs`). Returns a stop function.
   */
  startAutoFlush(opts: { intervalMs?: number; maxIntervalMs?: number } = {}): () => void {
    const base = opts.intervalMs ?? 30_000;
    const max = opts.maxIntervalMs ?? 10 * 60_000;
    let wait = base;
    let timer: ReturnType<typeof setTimeout> | null = null;
    let stopped = false;
    let running = false;
    const online = () => globalThis.navigator?.onLine !== false;
    const schedule = (ms: number) => {
      if (timer) clearTimeout(timer);
      timer = stopped ? null : setTimeout(tick, ms);
    };
    const tick = async () => {
      timer = null;
      if (stopped || running) return;
      running = true;
      try {
        if (online() && this.#counts.pending > 0) {
          const r = await this.flush().catch((error: unknown) => ({ sent: 0, acknowledged: 0, rejected: 0, error }) as FlushReport);
          wait = r.error ? Math.min(wait * 2, max) : base;
        }
      } finally {
        running = false;
      }
      schedule(wait);
    };
    const now = () => {
      wait = base;
      if (!running) {
        if (timer) clearTimeout(timer);
        void tick();
      }
    };
    globalThis.addEventListener?.('online', now);
    let first = true;
    const unsubscribe = this.subscribe((c) => {
      if (first) {
        first = false;
        return;
      }
      if (c.pending > 0 && !this.flushing && online()) now();
    });
    void tick();
    return () => {
      stopped = true;
      if (timer) clearTimeout(timer);
      globalThis.removeEventListener?.('online', now);
      unsubscribe();
    };
  }

  close(): void {
    this.#channel?.close();
    this.#channel = null;
    void this.#db?.then((db) => db.close());
    this.#db = null;
  }
}
