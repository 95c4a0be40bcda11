-- An attempt's paper (the plan and the questions as drawn, several KB of JSON) is written once,
-- when the attempt starts, and read with it; the attempt's row keeps what changes (responses,
-- grade). A submit then rewrites a row of a few KB instead of one with the whole paper in it.
CREATE TABLE quiz_attempt_papers (
    attempt_id TEXT PRIMARY KEY NOT NULL REFERENCES quiz_attempts (id) ON DELETE CASCADE,
    plan TEXT NOT NULL,
    -- The questions as drawn, so what is graded is what the learner saw (until a regrade).
    questions TEXT NOT NULL
);
INSERT INTO quiz_attempt_papers (attempt_id, plan, questions) SELECT id, plan, questions FROM quiz_attempts;
ALTER TABLE quiz_attempts DROP COLUMN plan;
ALTER TABLE quiz_attempts DROP COLUMN questions;
