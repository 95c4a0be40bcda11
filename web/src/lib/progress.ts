// Learning events of the lesson reader, recorded in the outbox (so they survive being offline and
// are sent once): a lesson opened, completed, reading time, and where in the lesson one is.
//
// Event types are the server's (`lentera_progress::EventKind`, snake_case); the payload names the
// course (its slug) and the lesson. src/lib/sync.ts turns them into the sync endpoint's body.
import { markCompletedHere } from './offline';
import { session } from './session.svelte';
import { outbox } from './sync';

export type LessonEventType = 'lesson_opened' | 'lesson_completed' | 'time_spent' | 'position';

export interface LessonEventPayload {
  course: string;
  lesson_id: string;
  seconds?: number;
  anchor?: string | null;
}

async function add(type: LessonEventType, payload: LessonEventPayload): Promise<void> {
  if (!session.user) return;
  try {
    await outbox.add(type, payload);
    // Send at once when online; the outbox keeps it otherwise.
    if (navigator.onLine) void outbox.flush();
  } catch {
    /* IndexedDB unavailable: progress is then only what reaches the server by other means */
  }
}

export function lessonOpened(course: string, lesson: string): Promise<void> {
  return add('lesson_opened', { course, lesson_id: lesson });
}

export async function lessonCompleted(course: string, lesson: string): Promise<void> {
  if (session.user) await markCompletedHere(session.user.id, course, lesson);
  // A completion says the lesson was opened: an "opened" still waiting to be sent is redundant,
  // and the learner sees one record waiting, not two.
  try {
    await outbox.dropPending((e) => {
      const p = e.payload as Partial<LessonEventPayload>;
      return e.type === 'lesson_opened' && p.course === course && p.lesson_id === lesson;
    });
  } catch {
    /* nothing kept */
  }
  await add('lesson_completed', { course, lesson_id: lesson });
}

export function timeSpent(course: string, lesson: string, seconds: number): Promise<void> {
  return add('time_spent', { course, lesson_id: lesson, seconds: Math.round(seconds) });
}

export function position(course: string, lesson: string, anchor: string | null): Promise<void> {
  return add('position', { course, lesson_id: lesson, anchor });
}

/** Lessons whose completion waits in the outbox (counted as done on this device). */
export async function pendingCompletions(course: string): Promise<Set<string>> {
  const out = new Set<string>();
  try {
    for (const e of await outbox.pending()) {
      const p = e.payload as Partial<LessonEventPayload>;
      if (e.type === 'lesson_completed' && p.course === course && p.lesson_id) out.add(p.lesson_id);
    }
  } catch {
    /* nothing kept */
  }
  return out;
}

export { ReadingClock } from './reading-clock';
