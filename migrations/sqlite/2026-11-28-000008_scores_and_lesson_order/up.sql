-- The learner's score in a course (their best passed quiz score, 0-100), kept beside the progress
-- so that completion reports need no JSON parsing per row.
ALTER TABLE enrolments ADD COLUMN score_percent DOUBLE PRECISION;

-- A lesson's neighbours are read by position within its version.
CREATE INDEX lessons_order_idx ON lessons (version_id, position);
