DROP TABLE mentorships;
DROP INDEX users_employment_idx;
DROP INDEX enrolments_course_idx;
DROP INDEX enrolments_completed_idx;
