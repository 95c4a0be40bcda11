//! API integration tests: the real app in-process over a fresh database, once per backend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod auth;
mod certificates;
mod courses;
mod errors;
mod notifications;
mod programmes;
mod progress;
mod reports;
mod quizzes;
mod users;
