//! Storage integration tests: every query on SQLite and on PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod group_commit;
mod migrations;
mod quizzes;
mod tokens;
