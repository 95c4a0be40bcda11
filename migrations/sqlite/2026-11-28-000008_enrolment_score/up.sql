-- The learner's score in a course (their best passed quiz score, 0-100), kept beside the progress
-- so that completion reports need no JSON parsing per row.
ALTER TABLE enrolments ADD COLUMN score_percent DOUBLE PRECISION;
