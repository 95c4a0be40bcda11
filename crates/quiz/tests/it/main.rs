//! The one integration-test binary of lentera-quiz; each module covers one area.
#![allow(clippy::unwrap_used, clippy::expect_used)]
// Questions about π hold approximate values on purpose.
#![allow(clippy::approx_constant)]

mod aiken;
mod docs;
mod flow;
mod gift;
mod markdown;
mod props;
mod support;
