//! The `lentera` binary as a user runs it: CLI verbs and a real server process.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod cli;
mod outbox;
pub mod support;
mod sync_kill;
