-- Programmes: ordered sets of courses (required, and electives of which any N), run as cohorts
-- (angkatan) that assignment rules fill with learners.
CREATE TABLE programmes (
    id TEXT PRIMARY KEY NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    jp_hundredths BIGINT NOT NULL,
    electives_needed INTEGER NOT NULL DEFAULT 0,
    certificate BOOLEAN NOT NULL DEFAULT TRUE,
    owner_id TEXT NOT NULL REFERENCES users (id),
    owner_opd_id TEXT REFERENCES opds (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE programme_courses (
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    course_id TEXT NOT NULL REFERENCES courses (id),
    position INTEGER NOT NULL,
    required BOOLEAN NOT NULL,
    PRIMARY KEY (programme_id, course_id)
);
CREATE INDEX programme_courses_course_idx ON programme_courses (course_id);

CREATE TABLE cohorts (
    id TEXT PRIMARY KEY NOT NULL,
    programme_id TEXT NOT NULL REFERENCES programmes (id),
    name TEXT NOT NULL,
    starts_at TIMESTAMP NOT NULL,
    ends_at TIMESTAMP NOT NULL,
    enrol_opens_at TIMESTAMP NOT NULL,
    enrol_closes_at TIMESTAMP NOT NULL,
    due_at TIMESTAMP NOT NULL,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    UNIQUE (programme_id, name)
);
CREATE INDEX cohorts_due_idx ON cohorts (due_at);

-- A rule is kept so that it reaches people who join later; `rule_key` makes the same rule
-- stored twice impossible (NULLs in a composite UNIQUE would not).
CREATE TABLE cohort_rules (
    id TEXT PRIMARY KEY NOT NULL,
    cohort_id TEXT NOT NULL REFERENCES cohorts (id),
    kind TEXT NOT NULL,
    value TEXT NOT NULL,
    within_opd_id TEXT REFERENCES opds (id),
    rule_key TEXT NOT NULL UNIQUE,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX cohort_rules_cohort_idx ON cohort_rules (cohort_id);

-- A learner's place in a cohort, with their programme progress as last computed.
CREATE TABLE cohort_members (
    cohort_id TEXT NOT NULL REFERENCES cohorts (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    rule_id TEXT REFERENCES cohort_rules (id),
    assigned_by TEXT REFERENCES users (id),
    assigned_at TIMESTAMP NOT NULL,
    required_done INTEGER NOT NULL DEFAULT 0,
    electives_done INTEGER NOT NULL DEFAULT 0,
    percent INTEGER NOT NULL DEFAULT 0,
    completed_at TIMESTAMP,
    certificate_id TEXT,
    PRIMARY KEY (cohort_id, user_id)
);
CREATE INDEX cohort_members_user_idx ON cohort_members (user_id);

-- Applying rules to many learners runs in the background; the request gets a job to watch.
CREATE TABLE assignment_jobs (
    id TEXT PRIMARY KEY NOT NULL,
    cohort_id TEXT NOT NULL REFERENCES cohorts (id),
    status TEXT NOT NULL,
    requested_by TEXT REFERENCES users (id),
    assigned INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    created_at TIMESTAMP NOT NULL,
    started_at TIMESTAMP,
    heartbeat_at TIMESTAMP,
    finished_at TIMESTAMP
);
CREATE INDEX assignment_jobs_status_idx ON assignment_jobs (status);
