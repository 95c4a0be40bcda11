//! API integration tests: the real app in-process over a fresh database, once per backend.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

mod auth;
mod courses;
mod errors;
mod reports;
mod users;
