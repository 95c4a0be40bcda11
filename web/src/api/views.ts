// Shapes of API answers that the OpenAPI document does not describe yet.
//
// The server declares these bodies as a bare `Object` (`#[schema(value_type = Object)]`), so
// openapi-typescript can only type them as `Record<string, never>`. Until the Rust types derive
// `ToSchema`, the app reads them through the interfaces below, each a copy of the serialised Rust
// struct it names. Only fields the app uses are listed; when the server gains a schema for one of
// them, delete the interface here and use `components['schemas'][...]` instead.
import type { components } from './schema';

/** `lentera_storage::courses::EnrolmentSummary` (inside a course summary). */
export interface EnrolmentSummary {
  /** `active`, `completed` or `withdrawn`. */
  status: string;
  required: boolean;
  due_at: string | null;
  percent_complete: number;
  last_lesson_key: string | null;
  completed_at: string | null;
}

/** `lentera_storage::courses::CourseSummary` (the items of `GET /courses`). */
export interface CourseSummary {
  id: string;
  slug: string;
  title: string;
  summary: string;
  category: string;
  /** `dasar`, `menengah` or `lanjut`. */
  level: string;
  language: string;
  jp: number;
  duration_minutes: number;
  tags: string[];
  cover_sha256: string | null;
  visibility: string;
  self_enrol: boolean;
  lesson_count: number;
  version: number;
  enrolment: EnrolmentSummary | null;
}

export type CoursePage = Omit<components['schemas']['CoursePage'], 'items'> & { items: CourseSummary[] };

/** `lentera_storage::courses::SyllabusLesson`. */
export interface SyllabusLesson {
  id: string;
  title: string;
  required: boolean;
  duration_minutes: number | null;
  reading_minutes: number;
}

/** `lentera_storage::courses::SyllabusModule`. */
export interface SyllabusModule {
  id: string;
  title: string;
  summary: string | null;
  lessons: SyllabusLesson[];
}

/** `lentera_storage::courses::CourseFile`: attachments and images of a course. */
export interface CourseFile {
  path: string;
  sha256: string;
  media_type: string;
  size: number;
}

/** `lentera_storage::courses::CourseDetail` (`GET /courses/{slug}`): the summary, flattened, plus the syllabus. */
export interface CourseDetail extends CourseSummary {
  version_id: string;
  completion: unknown;
  modules: SyllabusModule[];
  instructors: string[];
  files: CourseFile[];
}

/** `lentera_content::TocEntry`. */
export interface TocEntry {
  level: number;
  id: string;
  text: string;
}

/** `lentera_storage::courses::LessonView` (`GET /courses/{slug}/lessons/{id}`). */
export interface LessonView {
  id: string;
  title: string;
  module_id: string;
  module_title: string;
  required: boolean;
  /** Sanitised by the server when the course was imported. */
  html: string;
  toc: TocEntry[];
  reading_minutes: number;
  word_count: number;
  previous: string | null;
  next: string | null;
  position: number;
  count: number;
  content_hash: string;
}

/** `lentera_api::course_import::CourseProblem`: one problem of a course folder. */
export interface CourseProblem {
  file: string;
  line: number | null;
  column: number | null;
  code: string;
  /** `error` or `warning`. */
  severity: string;
  message: string;
}

/** `lentera_api::course_import::CheckOutput` (`check` of an upload's answer). */
export interface CheckOutput {
  ok: boolean;
  slug: string | null;
  title: string | null;
  jp: number | null;
  modules: { title?: string; lessons?: number }[];
  quizzes: unknown[];
  problems: CourseProblem[];
}

/** `lentera_storage::courses::ImportResult` (`import` of an upload's answer). */
export interface ImportResult {
  course_id: string;
  slug: string;
  version: number;
  created: boolean;
  unchanged: boolean;
  archived_lessons: string[];
}

export interface UploadResponse {
  check: CheckOutput;
  import: ImportResult | null;
}

export type PreviewResponse = Omit<components['schemas']['PreviewResponse'], 'problems' | 'toc'> & {
  problems: CourseProblem[];
  toc: TocEntry[];
};

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

/** `lentera_storage::reports::CompletionRow`. */
export interface CompletionRow {
  enrolment_id: string;
  nip: string | null;
  name: string;
  opd: string | null;
  jabatan: string;
  employment_type: string | null;
  course_slug: string;
  course_title: string;
  enrolled_at: string;
  status: string;
  percent_complete: number;
  completed_at: string | null;
  course_jp_hundredths: number;
  score_percent: number | null;
  certificate_number: string | null;
}

// Quizzes: the learner's questions and responses (`lentera_quiz::LearnerQuestion`, `Response`,
// `AttemptReview`), which the attempt answer carries as bare objects.

export interface LearnerOption {
  id: string;
  text: string;
}

export type LearnerKind =
  | { type: 'single_choice'; options: LearnerOption[] }
  | { type: 'multiple_response'; options: LearnerOption[] }
  | { type: 'true_false' }
  | { type: 'short_answer' }
  | { type: 'numeric' }
  | { type: 'matching'; prompts: LearnerOption[]; choices: LearnerOption[] }
  | { type: 'ordering'; items: LearnerOption[] }
  | { type: 'essay'; response_template?: string }
  | { type: 'description' };

export interface LearnerQuestion {
  id: string;
  text: string;
  /** `markdown`, `html`, `plain` or `moodle`. */
  text_format: string;
  points: number;
  kind: LearnerKind;
}

export type QuizResponse =
  | { type: 'single_choice'; option: string }
  | { type: 'multiple_response'; options: string[] }
  | { type: 'true_false'; value: boolean }
  | { type: 'short_answer'; text: string }
  | { type: 'numeric'; input: string }
  | { type: 'matching'; pairs: Record<string, string> }
  | { type: 'ordering'; order: string[] }
  | { type: 'essay'; text: string };

export type CorrectAnswer =
  | { type: 'choices'; options: string[] }
  | { type: 'true_false'; value: boolean }
  | { type: 'text'; answers: string[] }
  | { type: 'numeric'; answers: unknown[] }
  | { type: 'matching'; pairs: [string, string][] }
  | { type: 'ordering'; order: string[] }
  | { type: 'none' };

export interface ReviewItem {
  question: LearnerQuestion;
  response?: QuizResponse;
  points: number;
  max_points: number;
  /** `correct`, `partial`, `incorrect`, `pending` or `ungraded`. */
  state: string;
  correct_answer?: CorrectAnswer;
  feedback?: { answer?: string[]; general?: string; comment?: string };
}

export interface AttemptReview {
  /** `nothing`, `score`, `responses`, `correct_answers` or `feedback`. */
  level: string;
  points?: number;
  max_points?: number;
  percent?: number;
  pass_state?: string;
  questions?: ReviewItem[];
}

export type AttemptView = Omit<components['schemas']['AttemptView'], 'questions' | 'responses' | 'review'> & {
  questions?: LearnerQuestion[] | null;
  responses?: Record<string, QuizResponse> | null;
  review?: AttemptReview | null;
};

/** `lentera_api::progress_glue::ProgressView` (`GET /courses/{slug}/progress`, `GET /me/progress`). */
export interface CourseProgressView {
  enrolment_id: string;
  course_id: string;
  course_slug: string;
  course_title: string;
  jp: number;
  /** `active`, `completed` or `withdrawn`. */
  enrolment_status: string;
  required: boolean;
  due_at: string | null;
  enrolled_at: string;
  percent_complete: number;
  last_lesson_id: string | null;
  last_activity_at: string | null;
  completed_at: string | null;
  /** `not_started`, `in_progress` or `completed`. */
  status: string;
  last_position: string | null;
  seconds_spent: number;
  completed_lessons: string[];
  missing: ({ kind?: string; lesson_id?: string; quiz_id?: string } & Record<string, unknown>)[];
}

/** `lentera_progress::BreakdownLine` + `JpLine` extras (a line of `GET /me/jp`). */
export interface JpLine {
  entry_id: string;
  title: string;
  completed_at: string;
  jp: number;
  /** `course` or `external`. */
  source: string;
  counted: boolean;
  excluded_because: unknown;
  provider: string;
  course_id: string | null;
  form: string | null;
  approval: string | null;
}

/** `lentera_api::progress_glue::JpReport` (`GET /me/jp`). */
export interface JpReport {
  summary: {
    year: number;
    earned: number;
    target: number;
    remaining: number;
    by_source: { courses: number; external: number };
  };
  label_id: string;
  label_en: string;
  target_met: boolean;
  lines: JpLine[];
}

/** `lentera_storage::programmes::CohortView`. */
export interface CohortView {
  id: string;
  programme_id: string;
  name: string;
  starts_at: string;
  ends_at: string;
  enrol_opens_at: string;
  enrol_closes_at: string;
  due_at: string;
  created_at: string;
}

/** `lentera_storage::programmes::MyCourse`. */
export interface MyProgrammeCourse {
  course_id: string;
  slug: string;
  title: string;
  jp: number;
  required: boolean;
  position: number;
  /** `active`, `completed` or `withdrawn`; absent if not enrolled. */
  status: string | null;
  percent_complete: number;
  due_at: string | null;
  completed_at: string | null;
}

/** `lentera_storage::programmes::MyProgramme` (`GET /me/programmes`). */
export interface MyProgramme {
  cohort: CohortView;
  programme_id: string;
  title: string;
  description: string;
  jp: number;
  electives_needed: number;
  certificate: boolean;
  courses: MyProgrammeCourse[];
  progress: {
    required_done: number;
    required_total: number;
    electives_done: number;
    electives_needed: number;
    percent: number;
    complete: boolean;
    missing_required: string[];
  };
  assigned_at: string;
  completed_at: string | null;
  certificate_id: string | null;
  overdue: boolean;
}
