// Every page of the app: its path, its lazily loaded module, who may open it, and the navigation.
import type { MessageKey } from './i18n/translate';
import type { RouteDef } from './lib/router.svelte';
import type { Role } from './lib/roles';

export const routes: RouteDef[] = [
  { path: '/login', load: () => import('./pages/Login.svelte'), title: 'login.title', public: true },
  { path: '/', load: () => import('./pages/Dashboard.svelte'), title: 'dashboard.title' },
  { path: '/profile', load: () => import('./pages/Profile.svelte'), title: 'profile.title' },

  // Learning. The lesson and quiz URLs are the ones the content renderer writes into lessons.
  { path: '/courses', load: () => import('./pages/courses/Catalogue.svelte'), title: 'catalogue.title' },
  { path: '/courses/:slug', load: () => import('./pages/courses/Course.svelte'), title: 'course.title' },
  { path: '/courses/:slug/lessons/:lessonId', load: () => import('./pages/courses/Lesson.svelte'), title: 'lesson.title' },
  { path: '/courses/:slug/quizzes/:quizId', load: () => import('./pages/courses/Quiz.svelte'), title: 'quiz.title' },
  // Authoring (instructors of a course; admins).
  { path: '/author', load: () => import('./pages/author/AuthorCourses.svelte'), title: 'author.title', roles: ['instructor', 'admin'] },
  { path: '/author/courses/:slug', load: () => import('./pages/author/CourseEditor.svelte'), title: 'editor.title', roles: ['instructor', 'admin'] },
  // Quiz results: the course's instructors grade; hr within scope reads (the server decides).
  { path: '/author/courses/:slug/results', load: () => import('./pages/author/QuizResults.svelte'), title: 'results.pageTitle', roles: ['instructor', 'admin', 'hr'] },
  // The course's question bank (its instructors; the server decides).
  { path: '/author/courses/:slug/bank', load: () => import('./pages/author/QuestionBank.svelte'), title: 'bank.pageTitle', roles: ['instructor', 'admin'] },
  { path: '/author/attempts/:id', load: () => import('./pages/author/AttemptGrading.svelte'), title: 'results.pageTitle', roles: ['instructor', 'admin', 'hr'] },
  // JP: one's own external training and certifications; hr's approvals and expiring certifications.
  { path: '/jp', load: () => import('./pages/jp/MyJp.svelte'), title: 'jp.title' },
  { path: '/approvals', load: () => import('./pages/hr/Approvals.svelte'), title: 'review.title', roles: ['hr', 'admin'] },
  // Notifications; programmes assigned to me (the "programme assigned" notification links to one).
  { path: '/notifications', load: () => import('./pages/Notifications.svelte'), title: 'notif.title' },
  { path: '/programmes', load: () => import('./pages/programmes/MyProgrammes.svelte'), title: 'programme.mineTitle' },
  { path: '/programmes/:id', load: () => import('./pages/programmes/MyProgrammes.svelte'), title: 'programme.mineTitle' },
  // Programmes, cohorts and their assignment (hr, admin).
  { path: '/hr/programmes', load: () => import('./pages/hr/Programmes.svelte'), title: 'hrProgramme.title', roles: ['hr', 'admin'] },
  { path: '/hr/programmes/:id', load: () => import('./pages/hr/ProgrammeDetail.svelte'), title: 'hrProgramme.title', roles: ['hr', 'admin'] },
  { path: '/hr/cohorts/:id', load: () => import('./pages/hr/Cohort.svelte'), title: 'hrProgramme.cohorts', roles: ['hr', 'admin'] },
  // Reports (hr, admin).
  { path: '/reports', load: () => import('./pages/Reports.svelte'), title: 'reports.title', roles: ['hr', 'admin'] },
  // Mentoring: hr and admins pair mentors with mentees; a mentor follows their mentees.
  { path: '/mentoring', load: () => import('./pages/mentoring/Pairing.svelte'), title: 'mentoring.title', roles: ['hr', 'admin'] },
  { path: '/mentees', load: () => import('./pages/mentoring/Mentees.svelte'), title: 'mentees.title', roles: ['mentor'] },
  // E-mail (admin): message templates and the outbox.
  { path: '/admin/templates', load: () => import('./pages/admin/Templates.svelte'), title: 'templates.title', roles: ['admin'] },
  { path: '/admin/outbox', load: () => import('./pages/admin/Outbox.svelte'), title: 'outbox.title', roles: ['admin'] },
  // Still to come: /verify/:code (public certificate check).

  { path: '/users', load: () => import('./pages/users/UserList.svelte'), title: 'users.title', roles: ['hr', 'admin'] },
  { path: '/users/new', load: () => import('./pages/users/UserCreate.svelte'), title: 'userForm.createTitle', roles: ['hr', 'admin'] },
  { path: '/users/import', load: () => import('./pages/users/UserImport.svelte'), title: 'import.title', roles: ['hr', 'admin'] },
  // One learner's JP and progress (hr within scope, admins).
  { path: '/users/:id/learning', load: () => import('./pages/users/LearnerDetail.svelte'), title: 'learner.title', roles: ['hr', 'admin'] },
  { path: '/users/:id', load: () => import('./pages/users/UserEdit.svelte'), title: 'userForm.editTitle', roles: ['hr', 'admin'] },
  { path: '/opds', load: () => import('./pages/Opds.svelte'), title: 'opds.title', roles: ['admin'] },
];

export interface NavItem {
  href: string;
  label: MessageKey;
  roles?: readonly Role[];
  /** Other paths under which this item shows as current. */
  prefix?: string;
}

/** Main navigation, filtered by the user's roles. */
export const nav: NavItem[] = [
  { href: '/', label: 'nav.dashboard' },
  { href: '/courses', label: 'nav.courses', prefix: '/courses' },
  { href: '/jp', label: 'nav.jp' },
  { href: '/author', label: 'nav.author', roles: ['instructor', 'admin'], prefix: '/author' },
  { href: '/reports', label: 'nav.reports', roles: ['hr', 'admin'] },
  // hr's own work; admins reach these pages from the dashboard (their bar is full already).
  { href: '/approvals', label: 'nav.approvals', roles: ['hr'] },
  { href: '/hr/programmes', label: 'nav.programmes', roles: ['hr'], prefix: '/hr' },
  { href: '/mentoring', label: 'nav.mentoring', roles: ['hr'] },
  { href: '/mentees', label: 'nav.mentees', roles: ['mentor'] },
  { href: '/users', label: 'nav.users', roles: ['hr', 'admin'], prefix: '/users' },
  { href: '/opds', label: 'nav.opds', roles: ['admin'] },
  { href: '/admin/templates', label: 'nav.email', roles: ['admin'], prefix: '/admin' },
  { href: '/profile', label: 'nav.profile' },
];
