CREATE INDEX enrolments_completed_idx ON enrolments (completed_at);
DROP INDEX enrolments_jp_idx;
DROP INDEX course_instructors_user_idx;
DROP INDEX courses_title_idx;
DROP INDEX lessons_order_idx;
ALTER TABLE enrolments DROP COLUMN score_percent;
