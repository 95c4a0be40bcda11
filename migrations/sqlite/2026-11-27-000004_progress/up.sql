-- The progress tracker: learning events, the JP ledger, external training and certifications
-- with their proof files, completion certificates, background jobs and xAPI records.

-- Learning events as clients sent them, stored once per (user, client id): that key is what
-- makes a retried sync count once. WITHOUT ROWID: the key is the only index, so an insert writes
-- one b-tree instead of two.
CREATE TABLE progress_events (
    user_id TEXT NOT NULL REFERENCES users (id),
    client_id TEXT NOT NULL,
    course_id TEXT NOT NULL REFERENCES courses (id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    received_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, client_id)
) WITHOUT ROWID;

-- JP credited for completed Lentera courses: one row per enrolment, with the course's title and
-- JP as they were at completion (a later version of the course does not change what was earned).
CREATE TABLE jp_ledger (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    course_id TEXT NOT NULL REFERENCES courses (id),
    enrolment_id TEXT NOT NULL UNIQUE REFERENCES enrolments (id),
    title TEXT NOT NULL,
    jp_hundredths BIGINT NOT NULL,
    completed_at TIMESTAMP NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX jp_ledger_user_idx ON jp_ledger (user_id, completed_at);

-- Uploaded proof (certificate scans) for external training and professional certifications.
-- Private to the owner and hr, so not in the public content-addressed `assets` table.
CREATE TABLE proof_files (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    file_name TEXT NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    data BLOB NOT NULL,
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX proof_files_user_idx ON proof_files (user_id);

-- Competence development outside Lentera, reported by the learner (SIASN "riwayat kursus"
-- fields) and approved or rejected by hr. `form` is a lentera_progress::DevelopmentForm,
-- `amount` a lentera_progress::Amount (JSON); JP only count once `status` is 'approved'.
CREATE TABLE external_trainings (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    form TEXT NOT NULL,
    title TEXT NOT NULL,
    provider TEXT NOT NULL,
    start_date DATE NOT NULL,
    end_date DATE NOT NULL,
    abroad BOOLEAN NOT NULL DEFAULT FALSE,
    amount TEXT NOT NULL,
    suggested_jp_hundredths BIGINT,
    claimed_jp_hundredths BIGINT NOT NULL,
    jp_hundredths BIGINT NOT NULL,
    certificate_number TEXT,
    proof_id TEXT REFERENCES proof_files (id),
    status TEXT NOT NULL,
    decided_by TEXT REFERENCES users (id),
    decided_at TIMESTAMP,
    decision_reason TEXT,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX external_trainings_user_idx ON external_trainings (user_id, end_date);
CREATE INDEX external_trainings_status_idx ON external_trainings (status, created_at);

-- Professional certifications (e.g. health service) with their expiry.
CREATE TABLE professional_certifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    name TEXT NOT NULL,
    issuer TEXT NOT NULL,
    number TEXT NOT NULL,
    issued_on DATE NOT NULL,
    expires_on DATE,
    proof_id TEXT REFERENCES proof_files (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX professional_certifications_user_idx ON professional_certifications (user_id);
CREATE INDEX professional_certifications_expiry_idx ON professional_certifications (expires_on);

-- The last certificate sequence number handed out per year of issue.
CREATE TABLE certificate_sequences (
    year INTEGER PRIMARY KEY NOT NULL,
    last_value INTEGER NOT NULL
);

-- Completion certificates: one per enrolment. What is printed is kept as issued (a later rename
-- of the course does not change a certificate until hr re-issues it, which bumps `revision`).
CREATE TABLE certificates (
    id TEXT PRIMARY KEY NOT NULL,
    enrolment_id TEXT NOT NULL UNIQUE REFERENCES enrolments (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    course_id TEXT NOT NULL REFERENCES courses (id),
    number TEXT NOT NULL UNIQUE,
    verification_code TEXT NOT NULL UNIQUE,
    learner_name TEXT NOT NULL,
    nip TEXT,
    course_title TEXT NOT NULL,
    jp_hundredths BIGINT NOT NULL,
    completed_at TIMESTAMP NOT NULL,
    issued_at TIMESTAMP NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1,
    pdf BLOB,
    pdf_revision INTEGER,
    revoked_at TIMESTAMP,
    revoked_by TEXT REFERENCES users (id),
    revoke_reason TEXT
);
CREATE INDEX certificates_user_idx ON certificates (user_id);
CREATE INDEX certificates_course_idx ON certificates (course_id);

-- Background work (certificate issue and rendering, bulk re-issue): taken by worker threads
-- with row locks (PostgreSQL: FOR UPDATE SKIP LOCKED; SQLite: the one write lock); a job whose
-- lease (`locked_until`) ran out is taken again, so a crashed worker loses nothing.
CREATE TABLE jobs (
    id TEXT PRIMARY KEY NOT NULL,
    parent_id TEXT REFERENCES jobs (id),
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL DEFAULT 5,
    run_after TIMESTAMP NOT NULL,
    locked_by TEXT,
    locked_until TIMESTAMP,
    last_error TEXT,
    result TEXT,
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    finished_at TIMESTAMP
);
CREATE INDEX jobs_ready_idx ON jobs (status, run_after);
CREATE INDEX jobs_parent_idx ON jobs (parent_id);

-- Completions and quiz results to export as xAPI statements (built at export time, so the
-- instance's public address can change). One per (user, event, verb).
CREATE TABLE xapi_records (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    course_id TEXT NOT NULL REFERENCES courses (id),
    verb TEXT NOT NULL,
    quiz_key TEXT,
    score_percent DOUBLE PRECISION,
    event_client_id TEXT NOT NULL,
    occurred_at TIMESTAMP NOT NULL,
    recorded_at TIMESTAMP NOT NULL,
    UNIQUE (user_id, event_client_id, verb)
);
CREATE INDEX xapi_records_recorded_idx ON xapi_records (recorded_at, id);
