// Quiz answers given offline. An untimed attempt answered without a network is kept on this
// device (src/lib/offline.ts) and submitted, with its answers, when the network is back: the
// server accepts a late submit for untimed attempts and counts a repeated submit once.
import { ApiProblem, call } from '../api/http';
import type { AttemptView, QuizResponse } from '../api/views';
import { deleteAttempt, pendingSubmissions, putAttempt, type StoredAttempt } from './offline';
import { api, session } from './session.svelte';

export async function submitAttempt(attemptId: string, responses: Record<string, QuizResponse | null>): Promise<AttemptView> {
  return (await call(
    api.POST('/api/v1/attempts/{attempt_id}/submit', {
      params: { path: { attempt_id: attemptId } },
      body: { responses: responses as never },
    }),
  )) as unknown as AttemptView;
}

let running: Promise<number> | null = null;

/** Submits the signed-in user's attempts that wait on this device. Returns how many went. */
export function flushQuizSubmissions(): Promise<number> {
  running ??= (async () => {
    const owner = session.user?.id;
    if (!owner || session.offline) return 0;
    let sent = 0;
    for (const a of await pendingSubmissions(owner)) {
      try {
        await submitAttempt(a.key, a.responses);
        await deleteAttempt(a.key);
        sent++;
      } catch (err) {
        if (err instanceof ApiProblem && (err.isNetwork || err.status >= 500)) break;
        // Refused for good (time over, already submitted elsewhere): keep the reason, stop retrying.
        await putAttempt({ ...a, submitPending: false } satisfies StoredAttempt);
      }
    }
    return sent;
  })().finally(() => {
    running = null;
  });
  return running;
}

/** Flushes whenever the browser comes back online. Returns a stop function. */
export function startQuizSync(): () => void {
  const now = () => void flushQuizSubmissions();
  addEventListener('online', now);
  return () => removeEventListener('online', now);
}
