// Names for the API's answer types, all generated from the server's OpenAPI document
// (`npm run gen:api` → schema.d.ts), so pages import them from one place.
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

export type OpdCompliance = S['OpdCompliance'];
export type LearnerJp = S['LearnerJp'];
export type JpCompliance = S['JpCompliance'];

// Reports.
export type TallyRow = S['TallyRow'];
export type Timeline = S['Timeline'];
export type CompletionPage = S['CompletionPage'];

// Programmes and cohorts (hr).
export type ProgrammeSummary = S['ProgrammeSummary'];
export type ProgrammePage = S['ProgrammePage'];
export type ProgrammeDetail = S['ProgrammeDetail'];
export type ProgrammeCourseView = S['ProgrammeCourseView'];
export type CohortOut = S['CohortOut'];
export type CohortDetail = S['CohortDetail'];
export type MemberView = S['MemberView'];
export type MemberPage = S['MemberPage'];
export type AssignmentJobView = S['AssignmentJobView'];
export type RuleView = S['RuleView'];
export type AssignRequest = S['AssignRequest'];
export type AssignAccepted = S['AssignAccepted'];

// Certifications and the admin outbox.
export type CertificationView = S['CertificationView'];
export type OutboxView = S['OutboxView'];
export type OutboxPage = S['OutboxPage'];

// The question bank and staff views of quizzes (answer keys included).
export type Question = S['Question'];
export type QuestionKind = S['QuestionKind'];
export type BankQuestionView = S['BankQuestionView'];
export type BankQuestionSaved = S['BankQuestionSaved'];
export type StaffAttemptView = S['StaffAttemptView'];
/** `GET /attempts/{id}`: the learner's view for its learner, the full record for the course's staff. */
export type AnyAttemptView = S['AnyAttemptView'];
/** Told apart by what only the staff's record has: the manual grades and the learner's id. */
export function isStaffAttempt(v: AnyAttemptView): v is StaffAttemptView {
  return 'manual_grades' in v && 'user_id' in v;
}
export type SlotGrade = S['SlotGrade'];
export type BankImportReport = S['BankImportReport'];
