-- Quizzes are stored per course version, keyed by the quiz id (the file name without its
-- extension), so a new version keeps the attempts of the old one and a regrade can read the
-- corrected questions of the new one. JSON columns hold the quiz engine's own serde types.
CREATE TABLE quizzes (
    id TEXT PRIMARY KEY NOT NULL,
    course_id TEXT NOT NULL REFERENCES courses (id),
    version_id TEXT NOT NULL REFERENCES course_versions (id),
    quiz_key TEXT NOT NULL,
    title TEXT NOT NULL,
    role TEXT NOT NULL,
    -- 'file': a quiz file of the course version; 'bank': defined through the API, drawing from
    -- the course's question bank (carried forward to each new version).
    origin TEXT NOT NULL,
    source_path TEXT,
    format TEXT NOT NULL,
    spec TEXT NOT NULL,
    intro TEXT,
    questions TEXT NOT NULL,
    question_count INTEGER NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (version_id, quiz_key)
);
CREATE INDEX quizzes_course_idx ON quizzes (course_id, quiz_key);

CREATE TABLE bank_questions (
    id TEXT PRIMARY KEY NOT NULL,
    course_id TEXT NOT NULL REFERENCES courses (id),
    question_key TEXT NOT NULL,
    category TEXT,
    kind TEXT NOT NULL,
    question TEXT NOT NULL,
    revision INTEGER NOT NULL,
    updated_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (course_id, question_key)
);

CREATE TABLE quiz_attempts (
    id TEXT PRIMARY KEY NOT NULL,
    quiz_id TEXT NOT NULL REFERENCES quizzes (id),
    course_id TEXT NOT NULL REFERENCES courses (id),
    quiz_key TEXT NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    number INTEGER NOT NULL,
    seed BIGINT NOT NULL,
    time_limit_minutes INTEGER,
    plan TEXT NOT NULL,
    -- The questions as drawn, so what is graded is what the learner saw (until a regrade).
    questions TEXT NOT NULL,
    responses TEXT NOT NULL,
    manual_grades TEXT NOT NULL,
    started_at TIMESTAMP NOT NULL,
    submitted_at TIMESTAMP,
    -- 'learner' (submitted) or 'timeout' (closed by the server after the time limit).
    closed_by TEXT,
    grade TEXT,
    points DOUBLE PRECISION,
    max_points DOUBLE PRECISION,
    percent DOUBLE PRECISION,
    pass_state TEXT,
    needs_grading BOOLEAN NOT NULL DEFAULT FALSE,
    regraded_at TIMESTAMP,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (course_id, quiz_key, user_id, number)
);
CREATE INDEX quiz_attempts_quiz_idx ON quiz_attempts (quiz_id);
CREATE INDEX quiz_attempts_user_idx ON quiz_attempts (user_id);
