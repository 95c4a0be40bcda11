// The app's outbox, sending through the signed-in session to the progress sync endpoint.
//
// `POST /api/v1/progress/events` (crates/api/src/routes/progress.rs) takes
//   {"events": [{"client_id": uuid, "course": slug, "kind": {"type": "lesson_completed", "lesson_id": …},
//                "occurred_at": RFC 3339}]}
// and answers 200 with
//   {"results": [{"index", "client_id", "status": "accepted" | "duplicate" | "rejected", "code"?, "message"?}], …}.
// The outbox records events as {id, type, payload: {course, …kind fields}, created_at}; the
// transport in sync-wire.ts turns one into the other. Any other answer (offline, 4xx/5xx) keeps every
// event for the next try.
import { Outbox } from './outbox';
import { progressTransport } from './sync-wire';

export { SYNC_ENDPOINT } from './sync-wire';

let send: (input: Request) => Promise<Response> = (input) => fetch(input);

/** The session plugs in its authenticated fetch (avoids an import cycle). */
export function useFetch(f: (input: Request) => Promise<Response>): void {
  send = f;
}

export const outbox = new Outbox({
  transport: progressTransport((r) => send(r), location.origin),
  locks: typeof navigator !== 'undefined' && 'locks' in navigator ? (navigator.locks as never) : null,
});
