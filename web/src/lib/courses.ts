// Courses and lessons from the API, with the device's copy as the fallback when offline.
import { ApiProblem, call } from '../api/http';
import type { CourseDetail, CourseProgressView, CourseSummary, LessonView } from '../api/views';
import {
  assetUrl,
  assetsIn,
  cacheAssets,
  completedHere,
  getCourse,
  getLesson,
  putCourse,
  putLesson,
  storedLessonIds,
} from './offline';
import { pendingCompletions } from './progress';
import { api, session } from './session.svelte';

export interface Loaded<T> {
  data: T;
  /** Read from this device because the server could not be reached. */
  fromDevice: boolean;
}

function owner(): string {
  return session.user?.id ?? 'anon';
}

/** Whether a failure means "no network" (so the device's copy may stand in). */
export function isOffline(err: unknown): boolean {
  return err instanceof ApiProblem && (err.isNetwork || err.status >= 502);
}

export async function fetchCourse(slug: string): Promise<Loaded<CourseDetail>> {
  try {
    const detail = (await call(api.GET('/api/v1/courses/{slug}', { params: { path: { slug } } })));
    void putCourse(owner(), detail);
    return { data: detail, fromDevice: false };
  } catch (err) {
    if (isOffline(err)) {
      const stored = await getCourse(owner(), slug);
      if (stored) return { data: stored.detail, fromDevice: true };
    }
    throw err;
  }
}

export async function fetchLesson(slug: string, id: string): Promise<Loaded<LessonView>> {
  try {
    const lesson = (await call(
      api.GET('/api/v1/courses/{slug}/lessons/{lesson}', { params: { path: { slug, lesson: id } } }),
    ));
    void putLesson(owner(), slug, lesson);
    return { data: lesson, fromDevice: false };
  } catch (err) {
    if (isOffline(err)) {
      const stored = await getLesson(owner(), slug, id);
      if (stored) return { data: stored, fromDevice: true };
    }
    throw err;
  }
}

export function lessonIds(detail: CourseDetail): string[] {
  return detail.modules.flatMap((m) => m.lessons.map((l) => l.id));
}

export interface DownloadProgress {
  done: number;
  total: number;
}

/**
 * "Unduh untuk luring": stores the course, every lesson's JSON and the files they show (and the
 * cover and attachments) on this device. Stops at the first lesson that fails.
 */
export async function downloadCourse(detail: CourseDetail, onProgress?: (p: DownloadProgress) => void): Promise<{ failedFiles: number }> {
  const ids = lessonIds(detail);
  const total = ids.length + 1;
  let done = 0;
  onProgress?.({ done, total });
  const files = new Set<string>();
  if (detail.cover_sha256) files.add(assetUrl(detail.cover_sha256));
  for (const f of detail.files) files.add(assetUrl(f.sha256));
  for (const id of ids) {
    const lesson = (await call(
      api.GET('/api/v1/courses/{slug}/lessons/{lesson}', { params: { path: { slug: detail.slug, lesson: id } } }),
    ));
    await putLesson(owner(), detail.slug, lesson);
    for (const u of assetsIn(lesson.html)) files.add(u);
    onProgress?.({ done: ++done, total });
  }
  const failedFiles = await cacheAssets([...files]);
  await putCourse(owner(), detail, true);
  onProgress?.({ done: total, total });
  return { failedFiles };
}

/** Whether every lesson of the course is on this device. */
export async function isDownloaded(detail: CourseDetail): Promise<boolean> {
  const stored = await getCourse(owner(), detail.slug);
  if (!stored?.downloaded) return false;
  const have = await storedLessonIds(owner(), detail.slug);
  return lessonIds(detail).every((id) => have.has(id));
}

export function coverUrl(c: Pick<CourseSummary, 'cover_sha256'>): string | null {
  return c.cover_sha256 ? assetUrl(c.cover_sha256) : null;
}

export { owner as offlineOwner };

/**
 * Lessons of the course done by this learner: what the server has recorded, plus completions
 * made on this device (also those still waiting in the outbox).
 */
export async function completedLessons(detail: CourseDetail, progress: CourseProgressView | null): Promise<Set<string>> {
  const out = new Set<string>(progress?.completed_lessons ?? []);
  for (const id of await completedHere(owner(), detail.slug)) out.add(id);
  for (const id of await pendingCompletions(detail.slug)) out.add(id);
  return out;
}

/** My stored progress in a course (null when not enrolled or unreachable). */
export async function courseProgress(slug: string, online = true): Promise<CourseProgressView | null> {
  if (!online) return null;
  try {
    return (await call(api.GET('/api/v1/courses/{slug}/progress', { params: { path: { slug } } })));
  } catch {
    return null;
  }
}
