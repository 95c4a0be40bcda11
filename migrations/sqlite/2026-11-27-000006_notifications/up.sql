-- In-app notifications. (user, kind, subject) is unique: one event reaches a person once.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    params TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    UNIQUE (user_id, kind, subject_id)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at);

-- E-mail outbox: written in the transaction that caused the message, sent by a worker. The same
-- unique key as above keeps a retried or replayed event from mailing anyone twice.
CREATE TABLE outbox (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    subject_id TEXT NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TIMESTAMP NOT NULL,
    claimed_by TEXT,
    claimed_until TIMESTAMP,
    last_error TEXT,
    recipient TEXT,
    created_at TIMESTAMP NOT NULL,
    sent_at TIMESTAMP,
    UNIQUE (user_id, kind, subject_id)
);
CREATE INDEX outbox_due_idx ON outbox (status, next_attempt_at);

-- Per-user e-mail choices; a kind without a row is on.
CREATE TABLE notification_settings (
    user_id TEXT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    email BOOLEAN NOT NULL,
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (user_id, kind)
);

-- Admins' overrides of the templates built into the code.
CREATE TABLE notification_templates (
    kind TEXT NOT NULL,
    language TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    body_html TEXT NOT NULL,
    updated_by TEXT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL,
    PRIMARY KEY (kind, language)
);

-- Password reset links: only the SHA-256 of the token is kept; each works once, for a while.
CREATE TABLE password_resets (
    id TEXT PRIMARY KEY NOT NULL,
    user_id TEXT NOT NULL REFERENCES users (id),
    token_hash TEXT NOT NULL UNIQUE,
    created_at TIMESTAMP NOT NULL,
    expires_at TIMESTAMP NOT NULL,
    used_at TIMESTAMP
);
CREATE INDEX password_resets_user_idx ON password_resets (user_id);
