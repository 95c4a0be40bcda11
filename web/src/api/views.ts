// Names for the API's answer types, all generated from the server's OpenAPI document
// (`npm run gen:api` → schema.d.ts), so pages import them from one place.
//
// The one exception is JP compliance (`GET /reports/jp-compliance`): its Rust type has no schema
// yet, so its shape is copied below until the server describes it.
import type { components } from './schema';

type S = components['schemas'];

export type EnrolmentSummary = S['EnrolmentSummary'];
export type CourseSummary = S['CourseSummary'];
export type CoursePage = S['CoursePage'];
export type SyllabusLesson = S['SyllabusLesson'];
export type SyllabusModule = S['SyllabusModule'];
export type CourseFile = S['CourseFile'];
export type CourseDetail = S['CourseDetail'];
export type TocEntry = S['TocEntry'];
export type LessonView = S['LessonView'];
export type CourseProblem = S['CourseProblem'];
export type CheckOutput = S['CheckOutput'];
export type ImportResult = S['ImportResult'];
export type UploadResponse = S['UploadResponse'];
export type PreviewResponse = S['PreviewResponse'];
export type CompletionRow = S['CompletionRow'];

// Quizzes: the learner's questions and responses.
export type LearnerOption = S['LearnerOption'];
export type LearnerKind = S['LearnerKind'];
export type LearnerQuestion = S['LearnerQuestion'];
export type QuizResponse = S['Response'];
export type CorrectAnswer = S['CorrectAnswer'];
export type ReviewItem = S['ReviewItem'];
export type AttemptReview = S['AttemptReview'];
export type AttemptView = S['AttemptView'];

export type CourseProgressView = S['ProgressView'];
export type JpLine = S['JpLine'];
export type JpReport = S['JpReport'];
export type CohortView = S['CohortView'];
export type MyProgrammeCourse = S['MyCourse'];
export type MyProgramme = S['MyProgramme'];

/** `lentera_api::reports::OpdCompliance`. */
export interface OpdCompliance {
  opd_id: string | null;
  opd: string;
  learners: number;
  at_or_above: number;
  share: number;
}

/** `lentera_api::reports::LearnerJp`. */
export interface LearnerJp {
  user_id: string;
  nip: string | null;
  name: string;
  opd: string | null;
  employment_type: string | null;
  earned: number;
  needed: number;
}

/** `lentera_api::reports::JpCompliance` (`GET /reports/jp-compliance`). */
export interface JpCompliance {
  year: number;
  target: number;
  learners: number;
  at_or_above: number;
  share: number;
  opds: OpdCompliance[];
  /** All learners below the target; `below` lists the first of them. */
  below_total: number;
  below: LearnerJp[];
}
