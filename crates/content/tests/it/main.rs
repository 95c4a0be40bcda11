//! The one integration test binary of lentera-content; each module is a group of tests.
//! Tests may unwrap: a panic is a failure with a message, which is what a test wants.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod archive;
mod carpentries;
mod course;
mod hostile;
mod render;
mod support;
