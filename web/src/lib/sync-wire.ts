// The sync endpoint's wire format (pure functions; src/lib/sync.ts wires them to the outbox).
import type { EventResult, Transport, WireEvent } from './outbox';

export const SYNC_ENDPOINT = '/api/v1/progress/events';

/** One outbox event as the sync endpoint reads it. */
export function toServerEvent(e: WireEvent): Record<string, unknown> {
  const { course, ...kind } = (e.payload ?? {}) as Record<string, unknown>;
  return { client_id: e.id, course: course ?? '', kind: { type: e.type, ...kind }, occurred_at: e.created_at };
}

interface ServerResult {
  index?: number;
  client_id?: string | null;
  status?: string;
  code?: string | null;
  message?: string | null;
}

/** The endpoint's answers as the outbox's verdicts (by client id, or by position). */
export function fromServerResults(events: WireEvent[], results: ServerResult[]): EventResult[] {
  const out: EventResult[] = [];
  for (const r of results) {
    const id = r.client_id ?? (typeof r.index === 'number' ? events[r.index]?.id : undefined);
    if (!id || (r.status !== 'accepted' && r.status !== 'duplicate' && r.status !== 'rejected')) continue;
    out.push({ id, status: r.status, reason: r.status === 'rejected' ? [r.code, r.message].filter(Boolean).join(': ') || 'rejected' : undefined });
  }
  return out;
}

export function progressTransport(fetchFn: (input: Request) => Promise<Response>, baseUrl = ''): Transport {
  return async (events) => {
    const response = await fetchFn(
      new Request(baseUrl + SYNC_ENDPOINT, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({ events: events.map(toServerEvent) }),
      }),
    );
    if (!response.ok) throw new Error(`sync endpoint answered ${response.status}`);
    const body = (await response.json()) as { results?: ServerResult[] };
    if (!body || !Array.isArray(body.results)) throw new Error('sync endpoint answered without results');
    return fromServerResults(events, body.results);
  };
}

