-- The learner's score in a course (their best passed quiz score, 0-100), kept beside the progress
-- so that completion reports need no JSON parsing per row.
ALTER TABLE enrolments ADD COLUMN score_percent DOUBLE PRECISION;

-- A lesson's neighbours are read by position within its version.
CREATE INDEX lessons_order_idx ON lessons (version_id, position);

-- The catalogue pages in title order and looks up what a user teaches.
CREATE INDEX courses_title_idx ON courses (title, id);
CREATE INDEX course_instructors_user_idx ON course_instructors (user_id);

-- JP per learner and year sums completions in a time range: the index holds all it reads, so the
-- table is not visited row by row (it replaces the index on completed_at alone).
CREATE INDEX enrolments_jp_idx ON enrolments (completed_at, user_id, course_id);
DROP INDEX enrolments_completed_idx;
