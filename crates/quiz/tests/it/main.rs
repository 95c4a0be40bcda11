//! The one integration-test binary of lentera-quiz; each module covers one area.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod aiken;
mod docs;
mod flow;
mod gift;
mod markdown;
mod props;
mod support;
