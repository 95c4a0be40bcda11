ALTER TABLE quiz_attempts ADD COLUMN plan TEXT NOT NULL DEFAULT '';
ALTER TABLE quiz_attempts ADD COLUMN questions TEXT NOT NULL DEFAULT '';
UPDATE quiz_attempts SET
    plan = (SELECT p.plan FROM quiz_attempt_papers p WHERE p.attempt_id = quiz_attempts.id),
    questions = (SELECT p.questions FROM quiz_attempt_papers p WHERE p.attempt_id = quiz_attempts.id);
DROP TABLE quiz_attempt_papers;
