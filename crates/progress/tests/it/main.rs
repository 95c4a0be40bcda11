//! The one integration-test binary of `lentera-progress`: each module exercises one area of the
//! public API the way storage and the API crate will call it.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod codes;
mod completion;
mod jp;
mod state;
mod support;
mod xapi;
