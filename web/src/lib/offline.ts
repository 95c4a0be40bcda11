// Courses kept on this device for reading offline ("Unduh untuk luring").
//
// IndexedDB (`lentera-offline`) holds, per signed-in user:
// - `courses`: a course's detail (syllabus, files) and whether the learner downloaded it whole;
// - `lessons`: each lesson's JSON as the API sent it (HTML, table of contents, neighbours);
// - `done`: lessons marked complete on this device (so ticks show before the server has them);
// - `attempts`: quiz attempts in progress and answers waiting to be submitted.
// Images and attachments go in the Cache API (`lentera-assets`): the service worker answers
// `/api/v1/assets/<sha256>` from there (the files are immutable, addressed by their content).
//
// Every lesson or course opened online is kept too, so a page read once opens offline. Records
// are keyed by owner: a shared phone never shows one learner's copy to another.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import type { AttemptView, CourseDetail, LessonView, QuizResponse } from '../api/views';

export const ASSET_CACHE = 'lentera-assets';
export const ASSET_PREFIX = '/api/v1/assets/';

export interface StoredCourse {
  key: string;
  owner: string;
  slug: string;
  detail: CourseDetail;
  savedAt: string;
  /** Downloaded whole with "Unduh untuk luring" (not just opened). */
  downloaded: boolean;
}

export interface StoredLesson {
  key: string;
  owner: string;
  slug: string;
  lesson: LessonView;
  savedAt: string;
}

export interface StoredAttempt {
  /** The attempt id. */
  key: string;
  owner: string;
  slug: string;
  quizId: string;
  attempt: AttemptView;
  /** Answers given on this device (also those the server has not seen yet). */
  responses: Record<string, QuizResponse | null>;
  /** Submitted while offline: sent when the network is back. */
  submitPending: boolean;
  updatedAt: string;
}

interface Schema extends DBSchema {
  courses: { key: string; value: StoredCourse; indexes: { by_owner: string } };
  lessons: { key: string; value: StoredLesson; indexes: { by_owner_slug: [string, string] } };
  done: { key: string; value: { key: string; lessons: string[] } };
  attempts: { key: string; value: StoredAttempt; indexes: { by_owner: string } };
}

let db: Promise<IDBPDatabase<Schema>> | null = null;

function open(): Promise<IDBPDatabase<Schema>> {
  db ??= openDB<Schema>('lentera-offline', 1, {
    upgrade(d) {
      d.createObjectStore('courses', { keyPath: 'key' }).createIndex('by_owner', 'owner');
      d.createObjectStore('lessons', { keyPath: 'key' }).createIndex('by_owner_slug', ['owner', 'slug']);
      d.createObjectStore('done', { keyPath: 'key' });
      d.createObjectStore('attempts', { keyPath: 'key' }).createIndex('by_owner', 'owner');
    },
  });
  return db;
}

/** Runs a storage call, treating an unavailable IndexedDB (private mode) as "nothing kept". */
async function safe<T>(fallback: T, fn: (d: IDBPDatabase<Schema>) => Promise<T>): Promise<T> {
  try {
    return await fn(await open());
  } catch {
    return fallback;
  }
}

const courseKey = (owner: string, slug: string) => `${owner}:${slug}`;
const lessonKey = (owner: string, slug: string, id: string) => `${owner}:${slug}:${id}`;

export function assetUrl(sha256: string): string {
  return ASSET_PREFIX + sha256;
}

export function getCourse(owner: string, slug: string): Promise<StoredCourse | null> {
  return safe(null, async (d) => (await d.get('courses', courseKey(owner, slug))) ?? null);
}

/** Keeps the latest detail of a course (keeping the "downloaded" mark unless `downloaded` is given). */
export function putCourse(owner: string, detail: CourseDetail, downloaded?: boolean): Promise<void> {
  return safe(undefined, async (d) => {
    const key = courseKey(owner, detail.slug);
    const before = await d.get('courses', key);
    await d.put('courses', { key, owner, slug: detail.slug, detail, savedAt: new Date().toISOString(), downloaded: downloaded ?? before?.downloaded ?? false });
  });
}

export function downloadedCourses(owner: string): Promise<StoredCourse[]> {
  return safe([], async (d) => (await d.getAllFromIndex('courses', 'by_owner', owner)).filter((c) => c.downloaded));
}

export function getLesson(owner: string, slug: string, id: string): Promise<LessonView | null> {
  return safe(null, async (d) => (await d.get('lessons', lessonKey(owner, slug, id)))?.lesson ?? null);
}

export function putLesson(owner: string, slug: string, lesson: LessonView): Promise<void> {
  return safe(undefined, async (d) => {
    await d.put('lessons', { key: lessonKey(owner, slug, lesson.id), owner, slug, lesson, savedAt: new Date().toISOString() });
  });
}

/** Ids of the lessons of a course kept on this device. */
export function storedLessonIds(owner: string, slug: string): Promise<Set<string>> {
  return safe(new Set<string>(), async (d) => new Set((await d.getAllFromIndex('lessons', 'by_owner_slug', [owner, slug])).map((l) => l.lesson.id)));
}

/** Forgets a downloaded course: its detail, lessons and local marks (not the outbox). */
export function removeCourse(owner: string, slug: string): Promise<void> {
  return safe(undefined, async (d) => {
    const keys = await d.getAllKeysFromIndex('lessons', 'by_owner_slug', [owner, slug]);
    const tx = d.transaction(['courses', 'lessons'], 'readwrite');
    await tx.objectStore('courses').delete(courseKey(owner, slug));
    for (const k of keys) await tx.objectStore('lessons').delete(k);
    await tx.done;
  });
}

export function completedHere(owner: string, slug: string): Promise<Set<string>> {
  return safe(new Set<string>(), async (d) => new Set((await d.get('done', courseKey(owner, slug)))?.lessons ?? []));
}

export function markCompletedHere(owner: string, slug: string, lessonId: string): Promise<void> {
  return safe(undefined, async (d) => {
    const key = courseKey(owner, slug);
    const row = (await d.get('done', key)) ?? { key, lessons: [] };
    if (!row.lessons.includes(lessonId)) row.lessons.push(lessonId);
    await d.put('done', row);
  });
}

// Quiz attempts ---------------------------------------------------------------------------------

export function getAttempt(id: string): Promise<StoredAttempt | null> {
  return safe(null, async (d) => (await d.get('attempts', id)) ?? null);
}

export function putAttempt(a: StoredAttempt): Promise<void> {
  return safe(undefined, async (d) => {
    await d.put('attempts', { ...a, updatedAt: new Date().toISOString() });
  });
}

export function deleteAttempt(id: string): Promise<void> {
  return safe(undefined, (d) => d.delete('attempts', id));
}

/** The owner's attempt of a quiz kept on this device (in progress or waiting to be submitted). */
export function attemptFor(owner: string, slug: string, quizId: string): Promise<StoredAttempt | null> {
  return safe(null, async (d) => (await d.getAllFromIndex('attempts', 'by_owner', owner)).find((a) => a.slug === slug && a.quizId === quizId) ?? null);
}

export function pendingSubmissions(owner: string): Promise<StoredAttempt[]> {
  return safe([], async (d) => (await d.getAllFromIndex('attempts', 'by_owner', owner)).filter((a) => a.submitPending));
}

// Files -----------------------------------------------------------------------------------------

/** `/api/v1/assets/<sha>` URLs in a lesson's HTML (images, linked files). */
export function assetsIn(html: string): string[] {
  const out = new Set<string>();
  for (const m of html.matchAll(/\/api\/v1\/assets\/([0-9a-fA-F]{64})/g)) out.add(assetUrl(m[1].toLowerCase()));
  return [...out];
}

/** Puts files in the asset cache (skipping those already there). Returns how many failed. */
export async function cacheAssets(urls: string[]): Promise<number> {
  if (typeof caches === 'undefined') return 0;
  const cache = await caches.open(ASSET_CACHE);
  let failed = 0;
  for (const url of urls) {
    try {
      if (await cache.match(url)) continue;
      const r = await fetch(url);
      if (r.ok) await cache.put(url, r);
      else failed++;
    } catch {
      failed++;
    }
  }
  return failed;
}
