CREATE TABLE courses (
    id TEXT PRIMARY KEY NOT NULL,
    slug TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL,
    summary TEXT NOT NULL,
    category TEXT NOT NULL,
    level TEXT NOT NULL,
    language TEXT NOT NULL,
    jp_hundredths BIGINT NOT NULL,
    duration_minutes INTEGER NOT NULL,
    tags TEXT NOT NULL,
    cover_sha256 TEXT,
    visibility TEXT NOT NULL,
    self_enrol BOOLEAN NOT NULL,
    completion TEXT NOT NULL,
    search_text TEXT NOT NULL,
    current_version_id TEXT,
    lesson_count INTEGER NOT NULL DEFAULT 0,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);
CREATE INDEX courses_category_idx ON courses (category);

CREATE TABLE course_versions (
    id TEXT PRIMARY KEY NOT NULL,
    course_id TEXT NOT NULL REFERENCES courses (id),
    number INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    manifest TEXT NOT NULL,
    source TEXT NOT NULL,
    imported_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (course_id, number)
);

CREATE TABLE course_instructors (
    course_id TEXT NOT NULL REFERENCES courses (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    PRIMARY KEY (course_id, user_id)
);

CREATE TABLE course_modules (
    id TEXT PRIMARY KEY NOT NULL,
    version_id TEXT NOT NULL REFERENCES course_versions (id),
    module_key TEXT NOT NULL,
    title TEXT NOT NULL,
    summary TEXT,
    position INTEGER NOT NULL,
    UNIQUE (version_id, module_key)
);

CREATE TABLE lessons (
    id TEXT PRIMARY KEY NOT NULL,
    version_id TEXT NOT NULL REFERENCES course_versions (id),
    module_id TEXT NOT NULL REFERENCES course_modules (id),
    lesson_key TEXT NOT NULL,
    title TEXT NOT NULL,
    required BOOLEAN NOT NULL,
    duration_minutes INTEGER,
    position INTEGER NOT NULL,
    path TEXT NOT NULL,
    markdown TEXT NOT NULL,
    html TEXT NOT NULL,
    toc TEXT NOT NULL,
    reading_minutes INTEGER NOT NULL,
    word_count INTEGER NOT NULL,
    content_hash TEXT NOT NULL,
    UNIQUE (version_id, lesson_key)
);

CREATE TABLE version_files (
    version_id TEXT NOT NULL REFERENCES course_versions (id),
    path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (version_id, path)
);

CREATE TABLE enrolments (
    id TEXT PRIMARY KEY NOT NULL,
    course_id TEXT NOT NULL REFERENCES courses (id),
    user_id TEXT NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    required BOOLEAN NOT NULL DEFAULT FALSE,
    due_at TIMESTAMP,
    enrolled_by TEXT REFERENCES users (id),
    enrolled_at TIMESTAMP NOT NULL,
    withdrawn_at TIMESTAMP,
    percent_complete INTEGER NOT NULL DEFAULT 0,
    last_lesson_key TEXT,
    last_activity_at TIMESTAMP,
    completed_at TIMESTAMP,
    state TEXT NOT NULL DEFAULT '{}',
    UNIQUE (course_id, user_id)
);
CREATE INDEX enrolments_user_idx ON enrolments (user_id);

CREATE TABLE assets (
    sha256 TEXT PRIMARY KEY NOT NULL,
    media_type TEXT NOT NULL,
    size BIGINT NOT NULL,
    data BYTEA NOT NULL,
    created_at TIMESTAMP NOT NULL
);

-- Full-text search over courses ('simple': no stemming, so Indonesian and English match alike).
CREATE INDEX courses_search_idx ON courses USING GIN (to_tsvector('simple', search_text));
