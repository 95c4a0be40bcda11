-- Reports filter and group enrolments by completion date and by course.
CREATE INDEX enrolments_completed_idx ON enrolments (completed_at);
CREATE INDEX enrolments_course_idx ON enrolments (course_id, status);
CREATE INDEX users_employment_idx ON users (employment_type);

-- Mentoring pairs: a mentor (senior ASN) sees the progress of their mentees.
CREATE TABLE mentorships (
    id TEXT PRIMARY KEY NOT NULL,
    mentor_id TEXT NOT NULL REFERENCES users (id),
    mentee_id TEXT NOT NULL REFERENCES users (id),
    created_by TEXT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    ended_at TIMESTAMP,
    UNIQUE (mentor_id, mentee_id)
);
CREATE INDEX mentorships_mentee_idx ON mentorships (mentee_id);
